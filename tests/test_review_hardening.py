"""The review desk under bad input, lost sessions, shared proxies and two moderators at once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlmodel import Session

from bot.logstore import crud
from bot.logstore.models import DeskSession
from bot.review import auth
from bot.review.app import create_app
from tests.support.desk import PASSWORD, Desk


def soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


def notices(response: object) -> list[str]:
    return [notice.get_text() for notice in soup(response).select(".notice.warning")]


def assert_desk_page(response: object, status: int = 200) -> BeautifulSoup:
    """The answer is the desk's own HTML page with its security headers."""
    assert response.status_code == status, response.text[:300]  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    page = soup(response)
    assert page.select_one("link[rel=stylesheet]")["href"] == "/static/desk.css"
    return page


# 1. The latest possible "To" date -----------------------------------------------------------------


def test_the_latest_to_date_filters_instead_of_failing(desk: Desk) -> None:
    uid = desk.log("Who met?")
    desk.login()
    page = assert_desk_page(desk.client.get("/?date_to=9999-12-31"))
    assert [row["data-uid"] for row in page.select("table.queue tbody tr")] == [uid]
    assert assert_desk_page(desk.client.get("/?date_from=9999-12-31")).select_one(".empty")
    export = desk.client.get("/export.csv?date_to=9999-12-31")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row["uid"] for row in rows] == [uid]


# 2. and 3. Page numbers and days that are too big or not numbers ----------------------------------


def test_huge_or_malformed_page_numbers_show_a_notice(desk: Desk) -> None:
    uid = desk.log("Who met?")
    desk.login()
    huge = desk.client.get("/?page=9223372036854775807")
    page = assert_desk_page(huge)
    assert [row["data-uid"] for row in page.select("table.queue tbody tr")] == [uid]
    assert notices(huge) == ["Page must be between 1 and 1; showing 1."]
    for path in ["/?page=abc", "/?page=-3", "/audit?page=1e9", "/audit?page=abc"]:
        response = desk.client.get(path)
        assert_desk_page(response)
        assert notices(response), path


def test_malformed_days_show_a_notice_not_raw_json(desk: Desk) -> None:
    desk.login()
    response = desk.client.get("/dashboard?days=abc")
    page = assert_desk_page(response)
    assert notices(response) == ["Days 'abc' is not a whole number; showing 30."]
    assert "last 30 days" in page.select_one("h1").get_text()
    assert "last 366 days" in desk.client.get("/dashboard?days=99999999999999999999").text


def test_bad_ids_and_bad_forms_get_the_desks_error_page(desk: Desk) -> None:
    desk.login()
    for uid in ["nope", "0" * 32, "%00", "a" * 5000]:
        page = assert_desk_page(desk.client.get(f"/answers/{uid}"), 404)
        assert page.select_one(".error").get_text() == "No logged answer has that id."
    assert_desk_page(desk.client.get("/no-such-page"), 404)
    assert_desk_page(desk.client.delete("/"), 405)


# 4. Malformed and reversed dates ------------------------------------------------------------------


def test_malformed_dates_are_named_in_a_notice(desk: Desk) -> None:
    desk.log("Who met?")
    desk.login()
    response = desk.client.get("/?date_from=2026-13-45&date_to=yesterday")
    assert_desk_page(response)
    assert notices(response) == [
        "“From” date '2026-13-45' is not a date (YYYY-MM-DD); it was ignored.",
        "“To” date 'yesterday' is not a date (YYYY-MM-DD); it was ignored.",
    ]
    export = desk.client.get("/export.csv?date_from=2026-13-45")
    page = assert_desk_page(export, 400)
    assert "2026-13-45" in page.select_one(".error").get_text()


def test_from_after_to_says_why_nothing_matches(desk: Desk) -> None:
    desk.log("Who met?")
    desk.login()
    response = desk.client.get("/?date_from=2025-06-01&date_to=2025-05-01")
    page = assert_desk_page(response)
    assert page.select("table.queue tbody tr") == []
    [notice] = notices(response)
    assert "“From” (2025-06-01) is after “To” (2025-05-01)" in notice


# 5. A lost session while writing a review; validation errors --------------------------------------


def test_review_typed_before_the_session_ended_is_restored_after_login(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login()
    csrf = desk.csrf(f"/answers/{uid}")
    desk.client.cookies.clear()  # the session is gone: expired, revoked or cookies cleared
    typed = {
        "verdict": "incorrect",
        "note": "Mediator wrong",
        "corrected_answer": "Turkey mediates.",
        "approved": "on",
        "base_version": "0",
        "csrf_token": csrf,
    }
    response = desk.client.post(f"/answers/{uid}/review", data=typed, follow_redirects=False)
    page = assert_desk_page(response, 401)
    form = page.select_one("#login-form")
    assert form["action"] == "/login"
    fields = {field["name"]: field.get("value") for field in form.select("input[type=hidden]")}
    assert fields["draft_note"] == "Mediator wrong"
    assert fields["draft_corrected_answer"] == "Turkey mediates."
    login = desk.client.post(
        "/login",
        data={**fields, "name": "alice", "password": PASSWORD},
        follow_redirects=False,
    )
    assert login.status_code == 303
    assert login.headers["location"] == f"/answers/{uid}"  # a page, not the POST-only form URL
    restored = desk.client.get(login.headers["location"])
    page = assert_desk_page(restored)
    assert "restored" in notices(restored)[0]
    assert page.select_one("input[name=verdict][checked]")["value"] == "incorrect"
    assert page.select_one("textarea[name=note]").get_text() == "Mediator wrong"
    assert page.select_one("textarea[name=corrected_answer]").get_text() == "Turkey mediates."
    assert page.select_one("input[name=approved]").has_attr("checked")
    with Session(desk.store.engine) as session:
        assert crud.get_review(session=session, answer_uid=uid) is None  # restored, not saved
    # Shown once: the next visit shows the (empty) saved state.
    assert not soup(desk.client.get(f"/answers/{uid}")).select_one("input[name=verdict][checked]")


def test_a_validation_error_shows_what_was_typed(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login()
    response = desk.review(
        uid, verdict="incorrect", note="Keep this note", corrected_answer=" ", approved="on"
    )
    page = assert_desk_page(response, 400)
    assert "only a written corrected answer can be approved" in page.select_one(".error").text
    assert page.select_one("textarea[name=note]").get_text() == "Keep this note"
    assert page.select_one("input[name=verdict][checked]")["value"] == "incorrect"


# 6. Revocable sessions ----------------------------------------------------------------------------


def test_a_copied_cookie_stops_working_after_logout(desk: Desk) -> None:
    desk.login()
    copy = desk.new_client()
    copy.cookies.update(desk.client.cookies)
    assert copy.get("/", follow_redirects=False).status_code == 200
    desk.client.post("/logout", data={"csrf_token": desk.csrf("/")})
    assert copy.get("/", follow_redirects=False).status_code == 303


def test_removing_a_moderator_ends_their_sessions(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login(name="bob")
    csrf = desk.csrf(f"/answers/{uid}")
    with Session(desk.store.engine) as session:
        crud.remove_moderator(session=session, name="bob")
        session.commit()
    response = desk.client.post(
        f"/answers/{uid}/review",
        data={"verdict": "correct", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 401
    with Session(desk.store.engine) as session:
        assert crud.get_review(session=session, answer_uid=uid) is None
        assert crud.audit_entries(session=session, answer_uid=uid) == []


def test_disabling_a_moderator_ends_their_sessions_and_logins(desk: Desk) -> None:
    desk.login(name="bob")
    with Session(desk.store.engine) as session:
        crud.set_disabled(session=session, name="bob", disabled=True)
        session.commit()
    assert desk.client.get("/", follow_redirects=False).status_code == 303
    assert desk.login(name="bob").status_code == 401


def test_sessions_survive_a_restart_of_the_desk(desk: Desk) -> None:
    desk.login()
    restarted = create_app(desk.url)
    client = desk.new_client()
    client.app = restarted  # type: ignore[attr-defined]
    client.cookies.update(desk.client.cookies)
    assert client.get("/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("column", "age"),
    [("expires_at", timedelta(seconds=1)), ("last_seen_at", auth.SESSION_IDLE + timedelta(1))],
)
def test_an_expired_or_idle_session_sends_the_moderator_to_login(
    desk: Desk, column: str, age: timedelta
) -> None:
    desk.login()
    assert desk.client.get("/", follow_redirects=False).status_code == 200
    past = datetime.now(UTC) - age
    with desk.store.engine.begin() as connection:
        connection.execute(sa.update(DeskSession).values({column: past}))
    response = desk.client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_session_table_holds_no_usable_token(desk: Desk) -> None:
    desk.login()
    token = desk.client.cookies["negobot_review"]
    with desk.store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT token_hash FROM desk_session").scalars().all()
    assert len(stored) == 1
    assert token not in stored[0]


# 7. Throttling behind a shared reverse proxy ------------------------------------------------------


def test_failed_logins_from_one_client_do_not_lock_the_moderator_out(desk: Desk) -> None:
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    moderator = {"X-Forwarded-For": "198.51.100.7"}
    statuses = [desk.login(password="guess", headers=attacker).status_code for _ in range(10)]
    assert statuses[:8] == [401] * 8
    assert statuses[8:] == [429, 429]  # the attacking client is refused...
    response = desk.login(headers=moderator)  # ...the moderator, through the same proxy, is not
    assert response.status_code == 303


def test_forwarded_for_is_ignored_from_untrusted_peers(desk: Desk) -> None:
    outsider = desk.new_client("192.0.2.50")
    for number in range(8):
        spoofed = {"X-Forwarded-For": f"198.51.100.{number}"}
        assert desk.login(password="guess", client=outsider, headers=spoofed).status_code == 401
    spoofed = {"X-Forwarded-For": "198.51.100.99"}
    assert desk.login(password="guess", client=outsider, headers=spoofed).status_code == 429


# 8. Two moderators saving the same answer ---------------------------------------------------------


def test_a_review_from_an_older_form_is_refused_with_both_versions(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login()  # alice
    bob = desk.new_client()
    desk.login(name="bob", client=bob)
    alice_form = soup(desk.client.get(f"/answers/{uid}"))
    base = alice_form.select_one("input[name=base_version]")["value"]
    desk.review(uid, client=bob, verdict="incorrect", corrected_answer="Turkey.", base_version=base)
    stale = desk.review(uid, verdict="correct", note="Looks fine", base_version=base)
    page = assert_desk_page(stale, 409)
    assert "bob saved this review" in page.select_one(".error").get_text()
    assert page.select_one("#conflict .theirs .corrected").get_text() == "Turkey."
    assert page.select_one("#conflict .yours .note").get_text() == "Looks fine"
    assert page.select_one("textarea[name=note]").get_text() == "Looks fine"
    with Session(desk.store.engine) as session:
        review = crud.get_review(session=session, answer_uid=uid)
        assert (review.moderator, review.corrected_answer) == ("bob", "Turkey.")
    # Saving again from the conflict page is a deliberate overwrite.
    newer = page.select_one("input[name=base_version]")["value"]
    again = desk.review(uid, verdict="correct", note="Looks fine", base_version=newer)
    assert again.status_code == 303


# 9. Passage diagnostics and the abstain reason ----------------------------------------------------


def test_detail_shows_cosine_ranks_quotes_and_why_it_abstained(desk: Desk) -> None:
    answered = desk.log("Where did they meet?")
    declined = desk.log("What happens in 2030?", abstained=True)
    desk.login()
    page = desk.page(f"/answers/{answered}")
    rows = page.select("table.passages tbody tr")
    cells = [
        [row.select_one(f".{name}").get_text() for name in ("cosine", "dense-rank", "keyword-rank")]
        + [row.select_one(".fused-rank").get_text(), row.select_one("td.quoted").get_text()]
        for row in rows
    ]
    assert cells == [["0.830", "1", "2", "1", "yes"], ["0.410", "—", "1", "2", "no"]]
    assert "best cosine 0.830" in page.select_one("ol.sources").get_text()
    assert page.select_one(".abstain-reason") is None
    reason = desk.page(f"/answers/{declined}").select_one(".abstain-reason").get_text()
    assert "no passage was close enough" in reason
