"""The review desk's everyday work: refused questions, roles, queue order, audit and export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from bot.logstore import crud
from bot.review.pages import ABSTAIN_REASON_TEXT
from tests.support.desk import Desk
from tests.support.logstore import log_kwargs, make_answer


def assert_error(response: object, status: int, text: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    page = BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]
    assert text in page.select_one(".error").get_text()


# 10. Refused questions are logged and filterable --------------------------------------------------


def test_refused_questions_appear_in_the_queue_with_their_reason(desk: Desk) -> None:
    answered = desk.log("Who met?")
    refused = desk.store.log_refused(
        "x" * 900, "too_long", "Too long (900 > 500).", front_end="cli"
    )
    assert desk.store.flush(timeout=10)
    desk.login()
    assert desk.queue_uids("refused=yes") == [refused]
    assert desk.queue_uids("refused=no") == [answered]
    row = desk.page("/?refused=yes").select_one("table.queue tbody tr")
    assert row.select_one(".tag.refused").get_text() == "refused: too long"


# Roles, queue order, filters, audit and export --------------------------------------------------


def test_only_approvers_approve_and_the_first_moderator_is_one(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    with Session(desk.store.engine) as session:
        roles = {m.name: m.role for m in crud.list_moderators(session=session)}
    assert roles == {"alice": "approver", "bob": "reviewer"}
    desk.login(name="bob")
    assert desk.page(f"/answers/{uid}").select_one("input[name=approved]") is None
    refused = desk.review(uid, verdict="incorrect", corrected_answer="Turkey.", approved="on")
    assert_error(refused, 400, "only an approver can approve")
    assert desk.review(uid, verdict="incorrect", corrected_answer="Turkey.").status_code == 303
    assert desk.store.approved_corrections() == []
    desk.login()
    assert (
        desk.review(uid, verdict="incorrect", corrected_answer="Turkey.", approved="on").status_code
        == 303
    )
    assert [c.corrected_answer for c in desk.store.approved_corrections()] == ["Turkey."]


def test_a_reviewer_editing_an_approved_correction_withdraws_its_approval(desk: Desk) -> None:
    uid = desk.log("Who mediates?")
    desk.login()
    desk.review(uid, verdict="incorrect", corrected_answer="Turkey.", approved="on")
    assert [c.corrected_answer for c in desk.store.approved_corrections()] == ["Turkey."]
    desk.login(name="bob")
    # A note alone leaves the approved text served...
    kept = desk.review(uid, verdict="incorrect", note="Checked", corrected_answer="Turkey.")
    assert kept.status_code == 303
    assert [c.corrected_answer for c in desk.store.approved_corrections()] == ["Turkey."]
    # ...a changed text is a draft again until an approver approves it.
    changed = desk.review(uid, verdict="incorrect", corrected_answer="Qatar.")
    assert changed.status_code == 303
    assert desk.store.approved_corrections() == []
    assert desk.page("/audit?action=approval_withdrawn").select("li.audit-entry")


def test_queue_puts_unreviewed_first_and_filters_verdicts_and_served_corrections(
    desk: Desk,
) -> None:
    older = desk.log("Older?", days_ago=2)
    newer = desk.log("Newer?", days_ago=1)
    served = make_answer("Served?")
    served.reviewed = True
    served_uid = desk.store.log_answer(served, **log_kwargs())
    assert desk.store.flush(timeout=10)
    desk.login()
    desk.review(served_uid, verdict="correct")
    assert desk.queue_uids() == [newer, older, served_uid]
    assert desk.queue_uids("order=newest") == [served_uid, newer, older]
    assert desk.queue_uids("verdict=correct") == [served_uid]
    assert desk.queue_uids("served=yes") == [served_uid]
    assert desk.queue_uids("served=no") == [newer, older]


def test_audit_shows_the_question_a_word_diff_and_pages(desk: Desk) -> None:
    uid = desk.log("Who mediates the talks?")
    desk.login()
    desk.review(uid, verdict="needs_work", note="Outlet is wrong")
    desk.review(uid, verdict="needs_work", note="Outlet is right")
    page = desk.page("/audit?action=review_updated")
    [entry] = page.select("li.audit-entry")
    assert entry.select_one(".audit-question").get_text() == "Who mediates the talks?"
    assert [d.get_text() for d in entry.select("del")] == ["wrong"]
    assert [i.get_text() for i in entry.select("ins")] == ["right"]
    assert len(desk.page("/audit?moderator=alice").select("li.audit-entry")) == 2
    with Session(desk.store.engine) as session:
        for _ in range(60):
            crud.add_audit(session=session, moderator="alice", action="note", answer_uid=uid)
        session.commit()
    first = desk.page("/audit")
    assert len(first.select("li.audit-entry")) == 50
    assert "page 1 of 2" in first.select_one(".pager").get_text()
    assert len(desk.page("/audit?page=2").select("li.audit-entry")) == 12


def test_csv_export_has_the_review_note_moderator_and_time(desk: Desk) -> None:
    uid = desk.log("Где прошли переговоры?", language="ru")
    desk.login()
    desk.review(uid, verdict="correct", note="Верно")
    response = desk.client.get("/export.csv")
    assert response.content.startswith("\ufeff".encode())
    [row] = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (row["question"], row["review_note"], row["reviewed_by"]) == (
        "Где прошли переговоры?",
        "Верно",
        "alice",
    )
    reviewed_at = datetime.fromisoformat(row["reviewed_at"])
    assert datetime.now(UTC) - reviewed_at < timedelta(minutes=5)


def test_an_unexpected_error_gets_the_desks_page_with_security_headers(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from bot.review.routes import queue

    def broken(**_: object) -> int:
        raise RuntimeError("database fell over")

    desk.login()
    monkeypatch.setattr(queue.crud, "count_answers", broken)
    client = TestClient(desk.app, raise_server_exceptions=False, cookies=desk.client.cookies)
    response = client.get("/")
    assert response.status_code == 500
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = BeautifulSoup(response.text, "html.parser")
    assert "went wrong" in page.select_one(".error").get_text()
    assert "database fell over" not in response.text


@pytest.mark.parametrize("reason", sorted(ABSTAIN_REASON_TEXT))
def test_detail_names_every_abstain_reason_in_words(desk: Desk, reason: str) -> None:
    answer = make_answer("What happens in 2030?", abstained=True)
    answer.abstain_reason = reason
    uid = desk.store.log_answer(answer, **log_kwargs())
    assert desk.store.flush(timeout=10)
    desk.login()
    shown = desk.page(f"/answers/{uid}").select_one(".abstain-reason").get_text(" ", strip=True)
    assert shown == f"Why it abstained: {ABSTAIN_REASON_TEXT[reason]}"
    others = set(ABSTAIN_REASON_TEXT.values()) - {ABSTAIN_REASON_TEXT[reason]}
    assert not any(text in shown for text in others)
