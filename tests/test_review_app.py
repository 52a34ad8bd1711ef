"""The review desk in-process: login, filters, detail, reviews, dashboard, export, escaping."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from bot.logstore import crud
from bot.review import auth
from bot.review.app import create_app
from tests.support.desk import HOSTILE, PASSWORD, Desk
from tests.support.logstore import log_kwargs, make_answer


def test_no_page_is_readable_without_login(desk: Desk) -> None:
    uid = desk.log("Who met?")
    for path in ["/", "/dashboard", "/audit", f"/answers/{uid}", "/export.csv", "/export.jsonl"]:
        response = desk.client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        location = urlparse(response.headers["location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [path]
    response = desk.client.post(
        f"/answers/{uid}/review", data={"verdict": "correct"}, follow_redirects=False
    )
    assert response.status_code == 401
    assert BeautifulSoup(response.text, "html.parser").select_one("#login-form")
    with Session(desk.store.engine) as session:
        assert crud.get_review(session=session, answer_uid=uid) is None


def test_login_sets_an_httponly_samesite_session_cookie(desk: Desk) -> None:
    response = desk.login()
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "negobot_review=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "alice" in desk.page("/").select_one(".who").get_text()


def test_wrong_passwords_slow_an_account_down_but_never_lock_out_its_moderator(
    desk: Desk,
) -> None:
    for _ in range(5):
        response = desk.login(password="wrong password")
        assert response.status_code == 401
        assert "Wrong name or password" in response.text
    assert desk.throttle.account_delay("alice") > 0
    # The right password still logs in, after the short delay.
    assert desk.login().status_code == 303
    assert desk.throttle.account_delay("alice") == 0


def test_unknown_moderator_cannot_log_in(desk: Desk) -> None:
    assert desk.login(name="mallory").status_code == 401


def test_login_form_needs_its_csrf_token(desk: Desk) -> None:
    desk.client.get("/login")
    response = desk.client.post(
        "/login", data={"name": "alice", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert desk.client.get("/", follow_redirects=False).status_code == 303


def test_login_redirects_only_to_local_paths(desk: Desk) -> None:
    response = desk.client.post(
        "/login",
        data={
            "name": "alice",
            "password": PASSWORD,
            "csrf_token": desk.csrf(),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_queue_is_newest_first_and_every_filter_narrows_it(desk: Desk) -> None:
    old = desk.log("Old question about Istanbul", days_ago=10)
    russian = desk.log("Где прошли переговоры?", language="ru", days_ago=2)
    abstained = desk.log("What will happen next year?", abstained=True, days_ago=1)
    helpful = desk.log("Who mediated the talks?")
    desk.store.log_feedback(helpful, "helpful", user_id=1)
    desk.store.log_feedback(russian, "not_helpful", user_id=1)
    desk.store.log_feedback(abstained, "report", user_id=1)
    assert desk.store.flush(timeout=10)
    desk.login()
    desk.review(old, verdict="correct")

    assert desk.queue_uids() == [helpful, abstained, russian, old]
    assert desk.queue_uids("language=ru") == [russian]
    assert desk.queue_uids("abstained=yes") == [abstained]
    assert desk.queue_uids("abstained=no") == [helpful, russian, old]
    assert desk.queue_uids("feedback=helpful") == [helpful]
    assert desk.queue_uids("feedback=not_helpful") == [russian]
    assert desk.queue_uids("feedback=report") == [abstained]
    assert desk.queue_uids("reviewed=yes") == [old]
    assert desk.queue_uids("reviewed=no") == [helpful, abstained, russian]
    assert desk.queue_uids("q=ISTANBUL") == [helpful, russian, old]  # answers mention Istanbul
    assert desk.queue_uids("q=ПЕРЕГОВОРЫ") == [russian]
    assert desk.queue_uids("q=100%25_") == []  # LIKE wildcards are matched literally
    today = datetime.now(UTC).date()
    week_ago = (today - timedelta(days=7)).isoformat()
    assert desk.queue_uids(f"date_from={week_ago}") == [helpful, abstained, russian]
    assert desk.queue_uids(f"date_to={week_ago}") == [old]
    assert desk.queue_uids(f"date_from={week_ago}&language=en&abstained=no") == [helpful]
    assert desk.queue_uids("date_from=not-a-date") == [helpful, abstained, russian, old]
    # The form shows the filters in force.
    page = desk.page("/?language=ru&feedback=report")
    assert page.select_one("select[name=language] option[selected]")["value"] == "ru"
    assert page.select_one("select[name=feedback] option[selected]")["value"] == "report"


def test_detail_page_shows_answer_passages_scores_links_and_feedback(desk: Desk) -> None:
    uid = desk.log("Where did the delegations meet?")
    desk.store.log_feedback(uid, "not_helpful", user_id=3)
    assert desk.store.flush(timeout=10)
    desk.login()
    page = desk.page(f"/answers/{uid}")
    assert page.select_one(".question-text").get_text() == "Where did the delegations meet?"
    assert page.select_one(".answer-text").get_text() == "They met in Istanbul [1]."
    rows = page.select("table.passages tbody tr")
    assert [row.select_one(".cosine").get_text() for row in rows] == ["0.830", "0.410"]
    links = [a["href"] for a in page.select("table.passages a")]
    assert links == ["https://example.org/istanbul", "https://example.org/exchange"]
    assert "art-2#3" in rows[1].get_text()
    assert "not helpful" in page.select_one(".feedback-list").get_text()
    assert page.select_one(".report-note") is None
    desk.store.log_feedback(uid, "report", user_id=4)
    desk.store.log_report_note(uid, "Wrong <b>city</b>", user_id=4)
    assert desk.store.flush(timeout=10)
    note = desk.page(f"/answers/{uid}").select_one(".feedback-list .report-note")
    assert note.get_text() == "Wrong <b>city</b>"  # shown as text
    assert page.select_one("ol.sources li a")["href"] == "https://example.org/istanbul"
    assert desk.client.get("/answers/" + "0" * 32).status_code == 404


def test_script_in_a_question_is_shown_as_text(desk: Desk) -> None:
    uid = desk.log(HOSTILE, text=HOSTILE)
    desk.login()
    for path in ["/", f"/answers/{uid}"]:
        response = desk.client.get(path)
        assert "<script>document.title" not in response.text, path
    queue = desk.page("/")
    assert queue.find("script") is None
    assert queue.find("img") is None
    assert HOSTILE[:40] in queue.select_one("td.question").get_text()
    detail = desk.page(f"/answers/{uid}")
    assert detail.find("script") is None
    assert detail.select_one(".question-text").get_text() == HOSTILE


def test_only_http_links_are_rendered(desk: Desk) -> None:
    answer = make_answer("Links?")
    answer.retrieved[0]["url"] = "javascript:alert(1)"
    uid = desk.store.log_answer(answer, **log_kwargs())
    assert desk.store.flush(timeout=10)
    desk.login()
    hrefs = [a["href"] for a in desk.page(f"/answers/{uid}").select("table.passages a")]
    assert hrefs == ["https://example.org/exchange"]


def test_review_saves_verdict_note_and_approved_correction_with_audit(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login()
    response = desk.review(
        uid,
        verdict="incorrect",
        note="Wrong <b>outlet</b>",
        corrected_answer="Turkey mediates the talks.",
        approved="on",
    )
    assert response.status_code == 303
    page = desk.page(response.headers["location"])
    assert page.select_one(".notice").get_text() == "Review saved."
    assert page.select_one("input[name=verdict][checked]")["value"] == "incorrect"
    assert page.select_one("textarea[name=note]").get_text() == "Wrong <b>outlet</b>"
    assert page.select_one("input[name=approved]").has_attr("checked")
    [correction] = desk.store.approved_corrections()
    assert (correction.question, correction.corrected_answer) == (
        "Who mediates?",
        "Turkey mediates the talks.",
    )

    desk.review(uid, verdict="needs_work", note="", corrected_answer="Turkey mediates.")
    assert desk.store.approved_corrections() == []
    with Session(desk.store.engine) as session:
        entries = crud.audit_entries(session=session, answer_uid=uid)
    assert [entry.action for entry in entries] == ["approval_withdrawn", "correction_approved"]
    assert all(entry.moderator == "alice" for entry in entries)
    assert entries[0].before["verdict"] == "incorrect"
    assert entries[0].after["verdict"] == "needs_work"
    audit = desk.page("/audit")
    rows = audit.select("li.audit-entry")
    assert len(rows) == 2
    assert "approval withdrawn" in rows[0].select_one(".action").get_text()
    assert "alice" in rows[0].select_one(".who").get_text()
    assert rows[0].select_one(".audit-question").get_text() == "Who mediates?"
    assert desk.queue_uids("reviewed=yes") == [uid]


def test_review_needs_csrf_and_a_valid_verdict(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login()
    forged = desk.client.post(
        f"/answers/{uid}/review", data={"verdict": "correct", "csrf_token": "nope"}
    )
    assert forged.status_code == 403
    assert desk.review(uid, verdict="great").status_code == 400
    unapprovable = desk.review(uid, verdict="incorrect", approved="on", corrected_answer=" ")
    assert unapprovable.status_code == 400
    with Session(desk.store.engine) as session:
        assert crud.get_review(session=session, answer_uid=uid) is None


def test_logout_needs_csrf_and_ends_the_session(desk: Desk) -> None:
    desk.login()
    assert desk.client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    assert desk.client.get("/", follow_redirects=False).status_code == 200
    response = desk.client.post(
        "/logout", data={"csrf_token": desk.csrf("/")}, follow_redirects=False
    )
    assert response.status_code == 303
    assert desk.client.get("/", follow_redirects=False).status_code == 303


def test_dashboard_draws_charts(desk: Desk) -> None:
    answered = desk.log("Who met?")
    desk.log("Unknown thing?", abstained=True)
    desk.log("unknown thing", abstained=True, days_ago=3)
    desk.store.log_feedback(answered, "helpful", user_id=1)
    assert desk.store.flush(timeout=10)
    desk.login()
    page = desk.page("/dashboard?days=7")
    assert page.select_one("#total-questions").get_text() == "3"
    assert page.select_one("#abstention-rate").get_text() == "67%"
    assert page.select_one("#helpful-ratio").get_text() == "100%"
    for chart in ["questions", "abstention", "helpful", "unanswered"]:
        assert page.select_one(f"#chart-{chart} svg"), chart
    bars = page.select("#chart-questions svg rect.bar-abstained")
    assert len(bars) == 3  # two days with abstentions plus the legend swatch
    assert len(page.select("#chart-abstention svg circle.point")) == 2
    [top] = page.select("ol.unanswered li")
    assert "× 2" in top.get_text()


def test_export_csv_and_jsonl_honour_the_filters(desk: Desk) -> None:
    english = desk.log("Who met?")
    desk.log("Где?", language="ru")
    formula = desk.log("=HYPERLINK(1)")
    desk.login()
    response = desk.client.get("/export.csv?language=en")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["uid"] for row in rows] == [formula, english]
    assert rows[0]["question"] == "'=HYPERLINK(1)"
    assert rows[1]["abstained"] == "False"
    lines = desk.client.get("/export.jsonl?q=где").text.splitlines()
    [record] = [json.loads(line) for line in lines]
    assert record["language"] == "ru"
    assert record["retrieved"][0]["cosine"] == pytest.approx(0.83)
    assert desk.client.get("/export.xml").status_code == 404


def test_pages_carry_security_headers(desk: Desk) -> None:
    response = desk.client.get("/login")
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_passwords_are_stored_as_argon2_hashes(sqlite_url: str) -> None:
    app = create_app(sqlite_url)
    with Session(app.state.engine) as session:
        moderator = auth.add_moderator(session=session, name="carol", password=PASSWORD)
        session.commit()
        assert moderator.password_hash.startswith("$argon2id$")
        assert PASSWORD not in moderator.password_hash
        assert auth.authenticate(session=session, name="carol", password=PASSWORD)
        assert auth.authenticate(session=session, name="carol", password="nope") is None


def test_a_follow_up_shows_the_question_it_was_answered_as_and_exports_it(desk: Desk) -> None:
    answer = make_answer("and the bodies?")
    answer.resolved_question = "and the bodies? How many prisoners were exchanged?"
    uid = desk.store.log_answer(answer, **log_kwargs())
    plain = desk.log("Who met?")
    assert desk.store.flush(timeout=10)
    desk.login()
    page = desk.page(f"/answers/{uid}")
    assert page.select_one(".question-text").get_text() == "and the bodies?"
    assert page.select_one(".resolved-question").get_text() == (
        "Answered as: and the bodies? How many prisoners were exchanged?"
    )
    assert desk.page(f"/answers/{plain}").select_one(".resolved-question") is None
    response = desk.client.get("/export.csv")
    rows = {
        row["uid"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert rows[uid]["resolved_question"] == answer.resolved_question
    assert rows[plain]["resolved_question"] == ""
