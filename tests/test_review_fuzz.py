"""Random query strings thrown at every desk route: never a server error, always the desk's page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from desk_client import Desk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest_plugins = ["fixtures_db"]

EXAMPLES = 500
# PostgreSQL is checked with fewer examples: the same code paths, and what differs (NUL bytes,
# integer and date ranges) is among the tricky values drawn every time.
EXAMPLES_ON_POSTGRES = 100
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


@pytest.fixture
def logged_in_desk(database_url: str, tmp_path: Path, fast_password_hashing: None):
    desk = Desk(database_url, tmp_path)
    desk.examples = (  # type: ignore[attr-defined]
        EXAMPLES_ON_POSTGRES if database_url.startswith("postgresql") else EXAMPLES
    )
    # No waits and no client limit: every random login reaches the password check.
    desk.throttle.max_delay_s = 0.0
    desk.throttle.client_max_failures = 10**9
    desk.uid = desk.log("Who mediates?")  # type: ignore[attr-defined]
    desk.log("What happens in 2030?", abstained=True)
    desk.login()
    desk.review(desk.uid, verdict="correct")  # type: ignore[attr-defined]
    yield desk
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
def test_random_query_strings_never_cause_a_server_error(logged_in_desk: Desk, path: str) -> None:
    target = f"/answers/{logged_in_desk.uid}" if path == "ANSWER" else path  # type: ignore[attr-defined]

    @settings(
        max_examples=logged_in_desk.examples,  # type: ignore[attr-defined]
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(query=QUERIES)
    def check(query: list[tuple[str, str]]) -> None:
        _check(logged_in_desk, target, query)

    check()


def test_random_answer_ids_and_review_forms_get_a_page_not_an_error(
    logged_in_desk: Desk,
) -> None:
    csrf = logged_in_desk.csrf("/")

    @settings(
        max_examples=logged_in_desk.examples,  # type: ignore[attr-defined]
        deadline=None,
        database=None,
    )
    @given(uid=st.text(max_size=80), form=st.dictionaries(st.sampled_from(FORM_FIELDS), VALUES))
    def check(uid: str, form: dict[str, str]) -> None:
        path = "/answers/" + quote(uid, safe="")
        page = logged_in_desk.client.get(path, follow_redirects=False)
        assert page.status_code < 500, (uid, page.text[:300])
        saved = logged_in_desk.client.post(
            path + "/review", data={"csrf_token": csrf, **form}, follow_redirects=False
        )
        assert saved.status_code < 500, (uid, form, saved.text[:300])
        assert not saved.headers["content-type"].startswith("application/json")

    check()


def test_random_logins_get_a_page_not_an_error(logged_in_desk: Desk) -> None:
    client = logged_in_desk.new_client()
    csrf = logged_in_desk.csrf(client=client)

    @settings(
        max_examples=logged_in_desk.examples,  # type: ignore[attr-defined]
        deadline=None,
        database=None,
    )
    @given(name=VALUES, password=VALUES, next_path=VALUES)
    def check(name: str, password: str, next_path: str) -> None:
        response = client.post(
            "/login",
            data={"name": name, "password": password, "next": next_path, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code in (303, 401), (name, password, response.text[:300])

    check()
