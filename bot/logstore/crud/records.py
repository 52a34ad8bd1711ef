"""Write the bot's answer, feedback and outage records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import (
    AnswerLog,
    Feedback,
)

VOTE_KINDS = ("helpful", "not_helpful")


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def write_records(*, session: Session, records: Sequence[dict[str, Any]]) -> list[str]:
    """Add queued answer and feedback records, skipping uids already stored; return skipped notes.

    The caller commits. Feedback whose answer is unknown (never logged, or pruned) is skipped
    and reported in the returned notes so the caller can log it.
    """
    notes: list[str] = []
    answer_uids = [r["uid"] for r in records if r["type"] == "answer"]
    feedback_uids = [r["uid"] for r in records if r["type"] == "feedback"]
    stored_answers = _existing(session, AnswerLog.uid, answer_uids)
    stored_feedback = _existing(session, Feedback.uid, feedback_uids)
    referenced = {r["answer_uid"] for r in records if r["type"] in ("feedback", "report_note")}
    known_answers = _existing(session, AnswerLog.uid, referenced) | set(answer_uids)
    votes: dict[tuple[str, str], Feedback] = {}  # this batch's votes, by answer and person
    for record in records:
        if record["type"] == "answer":
            if record["uid"] in stored_answers:
                continue
            stored_answers.add(record["uid"])
            session.add(_answer_row(record))
        elif record["type"] == "feedback":
            if record["uid"] in stored_feedback:
                continue
            if record["answer_uid"] not in known_answers:
                notes.append(f"feedback {record['uid']} for unknown answer {record['answer_uid']}")
                continue
            stored_feedback.add(record["uid"])
            row = Feedback(
                uid=record["uid"],
                answer_uid=record["answer_uid"],
                kind=record["kind"],
                created_at=_parse_time(record["created_at"]),
                user_key=record.get("user_key"),
            )
            _replace_vote(session, row, votes)
            session.add(row)
        elif record["type"] == "report_note":
            if record["answer_uid"] not in known_answers:
                notes.append(f"report note for unknown answer {record['answer_uid']}")
                continue
            _add_report_note(session, record)
        else:
            notes.append(f"record {record.get('uid')} has unknown type {record.get('type')!r}")
    return notes


def _replace_vote(session: Session, row: Feedback, votes: dict[tuple[str, str], Feedback]) -> None:
    """Drop the person's earlier vote on the answer: a changed vote counts once, as the new one."""
    if row.kind not in VOTE_KINDS or row.user_key is None:
        return
    key = (row.answer_uid, row.user_key)
    earlier = votes.pop(key, None)
    if earlier is not None:
        session.expunge(earlier)
    session.exec(
        sa.delete(Feedback).where(  # type: ignore[call-overload]
            col(Feedback.answer_uid) == row.answer_uid,
            col(Feedback.user_key) == row.user_key,
            col(Feedback.kind).in_(VOTE_KINDS),
        )
    )
    votes[key] = row


def _add_report_note(session: Session, record: dict[str, Any]) -> None:
    """Put the note on the person's latest report of the answer (a report of its own if none)."""
    session.flush()  # reports queued in the same batch are found too
    report = session.exec(
        select(Feedback)
        .where(
            col(Feedback.answer_uid) == record["answer_uid"],
            col(Feedback.user_key) == record.get("user_key"),
            col(Feedback.kind) == "report",
        )
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
    ).first()
    if report is None:
        report = Feedback(
            uid=record["uid"],
            answer_uid=record["answer_uid"],
            kind="report",
            created_at=_parse_time(record["created_at"]),
            user_key=record.get("user_key"),
        )
    report.note = record["note"]
    session.add(report)


def _existing(session: Session, column: Any, uids: Iterable[str]) -> set[str]:
    wanted = list(set(uids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found.update(session.exec(select(column).where(column.in_(part))).all())
    return found


def _answer_row(record: dict[str, Any]) -> AnswerLog:
    return AnswerLog(
        uid=record["uid"],
        created_at=_parse_time(record["created_at"]),
        front_end=record["front_end"],
        chat_id=record.get("chat_id"),
        chat_type=record.get("chat_type"),
        user_key=record.get("user_key"),
        raw_user_id=record.get("raw_user_id"),
        question=record["question"],
        resolved_question=record.get("resolved_question"),
        language=record.get("language") or "",
        answer_text=record.get("answer_text") or "",
        abstained=bool(record.get("abstained")),
        mode=record.get("mode") or "",
        reviewed_answer=bool(record.get("reviewed_answer")),
        as_of=_parse_date(record.get("as_of")),
        retrieved=record.get("retrieved") or [],
        sources=record.get("sources") or [],
        model=record.get("model") or "",
        index_version=record.get("index_version") or "",
        latency_ms=float(record.get("latency_ms") or 0.0),
        abstain_reason=record.get("abstain_reason"),
        refused_reason=record.get("refused_reason"),
    )
