"""Feedback per person: a changed vote replaces the earlier one, so the desk counts it once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from bot.logstore import crud
from bot.logstore.store import LogStore
from tests.support.logstore import log_kwargs, make_answer


def test_a_changed_vote_counts_once_and_reports_and_other_people_count_apart(
    database_url: str, tmp_path: Path
) -> None:
    store = LogStore(database_url, user_key_secret="votes", spool_path=tmp_path / "spool.jsonl")
    try:
        uid = store.log_answer(make_answer("Who met?"), **log_kwargs())
        store.log_feedback(uid, "not_helpful", user_id=1)
        store.log_feedback(uid, "helpful", user_id=2)
        assert store.flush(timeout=10)  # the first vote is stored in an earlier batch
        store.log_feedback(uid, "helpful", user_id=1)  # person 1 changes their mind
        store.log_feedback(uid, "report", user_id=1)
        store.log_feedback(uid, "helpful", user_id=3)
        store.log_feedback(uid, "not_helpful", user_id=3)  # changed within one batch
        assert store.flush(timeout=10)
        with Session(store.engine) as session:
            counts = crud.feedback_counts(session=session, answer_uids=[uid])[uid]
            presses = crud.feedback_for(session=session, answer_uid=uid)
        assert counts == {"helpful": 2, "not_helpful": 1, "report": 1}
        assert len(presses) == 4
        midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        stats = store.stats(since=midnight)
        assert (stats.helpful, stats.not_helpful, stats.reported) == (2, 1, 1)
    finally:
        store.close()


def test_a_report_note_is_kept_with_the_report(database_url: str, tmp_path: Path) -> None:
    store = LogStore(database_url, user_key_secret="votes", spool_path=tmp_path / "spool.jsonl")
    try:
        uid = store.log_answer(make_answer("Who met?"), **log_kwargs())
        store.log_feedback(uid, "report", user_id=1)
        store.log_report_note(uid, "The date is wrong", user_id=1)  # in the same batch
        store.log_report_note(uid, "Wrong city", user_id=2)  # no report pressed before
        assert store.flush(timeout=10)
        with Session(store.engine) as session:
            presses = crud.feedback_for(session=session, answer_uid=uid)
            counts = crud.feedback_counts(session=session, answer_uids=[uid])[uid]
        assert sorted((press.kind, press.note) for press in presses) == [
            ("report", "The date is wrong"),
            ("report", "Wrong city"),
        ]
        assert counts == {"report": 2}
    finally:
        store.close()
