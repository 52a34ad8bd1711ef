"""Random query strings thrown at every desk route: never a server error, always the desk's page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.desk import Desk

# Minutes on a busy two-core machine: more than the suite's default per-test timeout allows.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# Per route and per database: SQLite and PostgreSQL differ in what they refuse (NUL bytes,
# integer and date ranges), so both get the full count.
EXAMPLES = 500
KNOWN_PARAMETERS = [
    "page",
    "days",
    "date_from",
    "date_to",
    "language",
    "abstained",
    "feedback",
    "reviewed",
    "q",
    "verdict",
    "served",
    "refused",
    "order",
    "moderator",
    "action",
    "saved",
    "next",
]
FORM_FIELDS = ["verdict", "note", "corrected_answer", "approved", "base_version", "csrf_token"]
# Values that broke the desk before, mixed with arbitrary text and numbers.
TRICKY_VALUES = st.sampled_from(
    [
        "9999-12-31",
        "0001-01-01",
        "2026-13-45",
        "yesterday",
        "9223372036854775807",
        "-9223372036854775809",
        "1e309",
        "abc",
        "",
        "\x00",
        "%",
        "' OR 1=1 --",
        "<script>",
        "yes",
        "no",
        "newest",
        "correct",
        "report",
    ]
)
VALUES = st.one_of(
    TRICKY_VALUES,
    st.text(max_size=40),
    st.integers().map(str),
    st.dates().map(str),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN_PARAMETERS), st.text(max_size=10)), VALUES),
    max_size=6,
)


@dataclass
class Target:
    """A logged-in desk with one reviewed answer, and how many examples each test ran."""

    desk: Desk
    uid: str
    ran: int = 0

    def settings(self) -> Callable[[Any], Any]:
        return settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )


@pytest.fixture
def target(database_url: str, tmp_path: Path, fast_password_hashing: None) -> Iterator[Target]:
    desk = Desk(database_url, tmp_path)
    # No waits and no client limit: every random login reaches the password check.
    desk.throttle.max_delay_s = 0.0
    desk.throttle.client_max_failures = 10**9
    uid = desk.log("Who mediates?")
    desk.log("What happens in 2030?", abstained=True)
    desk.login()
    desk.review(uid, verdict="correct")
    target = Target(desk, uid)
    yield target
    # The bar is a number of examples actually run, not a setting that a profile could lower.
    assert target.ran >= EXAMPLES, f"only {target.ran} examples ran"
    desk.client.close()
    desk.store.close()


def _check(desk: Desk, path: str, query: list[tuple[str, str]]) -> None:
    response = desk.client.get(f"{path}?{urlencode(query)}", follow_redirects=False)
    assert response.status_code < 500, (path, query, response.text[:300])
    assert "content-security-policy" in response.headers
    if response.headers["content-type"].startswith("application/json"):
        raise AssertionError(f"raw JSON from {path}?{urlencode(query)}: {response.text[:200]}")


@pytest.mark.parametrize(
    "path", ["/", "/dashboard", "/audit", "/export.csv", "/export.jsonl", "/login", "ANSWER"]
)
def test_random_query_strings_never_cause_a_server_error(target: Target, path: str) -> None:
    route = f"/answers/{target.uid}" if path == "ANSWER" else path

    @target.settings()
    @given(query=QUERIES)
    def check(query: list[tuple[str, str]]) -> None:
        target.ran += 1
        _check(target.desk, route, query)

    check()


def test_random_answer_ids_and_review_forms_get_a_page_not_an_error(target: Target) -> None:
    client = target.desk.client
    csrf = target.desk.csrf("/")

    @target.settings()
    @given(
        uid=st.one_of(st.just(target.uid), st.text(max_size=80)),
        form=st.dictionaries(st.sampled_from(FORM_FIELDS), VALUES),
    )
    def check(uid: str, form: dict[str, str]) -> None:
        target.ran += 1
        path = "/answers/" + quote(uid, safe="")
        page = client.get(path, follow_redirects=False)
        assert page.status_code < 500, (uid, page.text[:300])
        saved = client.post(
            path + "/review", data={"csrf_token": csrf, **form}, follow_redirects=False
        )
        assert saved.status_code < 500, (uid, form, saved.text[:300])
        assert not saved.headers.get("content-type", "").startswith("application/json")

    check()


def test_random_logins_get_a_page_not_an_error(target: Target) -> None:
    client = target.desk.new_client()
    csrf = target.desk.csrf(client=client)

    @target.settings()
    @given(name=VALUES, password=VALUES, next_path=VALUES)
    def check(name: str, password: str, next_path: str) -> None:
        target.ran += 1
        response = client.post(
            "/login",
            data={"name": name, "password": password, "next": next_path, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code in (303, 401), (name, password, response.text[:300])

    check()


def test_random_logout_forms_get_a_page_not_an_error(target: Target) -> None:
    client = target.desk.client

    @target.settings()
    @given(
        query=QUERIES, form=st.dictionaries(st.sampled_from(["csrf_token", *FORM_FIELDS]), VALUES)
    )
    def check(query: list[tuple[str, str]], form: dict[str, str]) -> None:
        target.ran += 1
        response = client.post(f"/logout?{urlencode(query)}", data=form, follow_redirects=False)
        assert response.status_code == 403, (query, form, response.text[:300])
        assert "content-security-policy" in response.headers

    check()
    assert client.get("/", follow_redirects=False).status_code == 200  # no form logged it out
