"""Reads and writes on the log store; every function takes the session as a keyword."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import (
    FEEDBACK_KINDS,
    VERDICTS,
    AnswerLog,
    AuditEntry,
    CorrectionPublic,
    Feedback,
    LogStats,
    Moderator,
    Review,
    utc_now,
)

log = logging.getLogger(__name__)


class ModeratorExistsError(ValueError):
    """A moderator with that name is already registered."""


# --- writing the bot's records -------------------------------------------------------------------


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
    referenced = {r["answer_uid"] for r in records if r["type"] == "feedback"}
    known_answers = _existing(session, AnswerLog.uid, referenced) | set(answer_uids)
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
            session.add(
                Feedback(
                    uid=record["uid"],
                    answer_uid=record["answer_uid"],
                    kind=record["kind"],
                    created_at=_parse_time(record["created_at"]),
                    user_key=record.get("user_key"),
                )
            )
        else:
            notes.append(f"record {record.get('uid')} has unknown type {record.get('type')!r}")
    return notes


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
    )


# --- the review queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the moderator narrowed the queue to; None or "" means no restriction."""

    date_from: date | None = None
    date_to: date | None = None
    language: str = ""
    abstained: bool | None = None
    feedback: str = ""  # helpful | not_helpful | report
    reviewed: bool | None = None
    text: str = ""


@dataclass
class QueueRow:
    """One answer in the queue with its current review and feedback counts."""

    answer: AnswerLog
    review: Review | None
    feedback: dict[str, int] = field(default_factory=dict)


def _filtered(statement: Any, filters: QueueFilters) -> Any:
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        statement = statement.where(col(AnswerLog.created_at) >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        statement = statement.where(col(AnswerLog.created_at) < end)
    if filters.language:
        statement = statement.where(col(AnswerLog.language) == filters.language)
    if filters.abstained is not None:
        statement = statement.where(col(AnswerLog.abstained) == filters.abstained)
    if filters.feedback in FEEDBACK_KINDS:
        pressed = (
            select(Feedback.id)
            .where(col(Feedback.answer_uid) == col(AnswerLog.uid))
            .where(col(Feedback.kind) == filters.feedback)
        )
        statement = statement.where(pressed.exists())
    if filters.reviewed is not None:
        reviewed = select(Review.id).where(col(Review.answer_uid) == col(AnswerLog.uid)).exists()
        statement = statement.where(reviewed if filters.reviewed else ~reviewed)
    if filters.text.strip():
        needle = filters.text.strip().lower()
        statement = statement.where(
            sa.or_(
                sa.func.lower(AnswerLog.question).contains(needle, autoescape=True),
                sa.func.lower(AnswerLog.answer_text).contains(needle, autoescape=True),
            )
        )
    return statement


def count_answers(*, session: Session, filters: QueueFilters) -> int:
    """Count the answers matching the filters."""
    statement = _filtered(select(sa.func.count()).select_from(AnswerLog), filters)
    return int(session.exec(statement).one())


def list_answers(
    *, session: Session, filters: QueueFilters, limit: int = 50, offset: int = 0
) -> list[QueueRow]:
    """Return a page of matching answers, newest first, with reviews and feedback counts."""
    statement = _filtered(select(AnswerLog), filters)
    statement = statement.order_by(col(AnswerLog.created_at).desc(), col(AnswerLog.id).desc())
    answers = list(session.exec(statement.limit(limit).offset(offset)).all())
    uids = [answer.uid for answer in answers]
    reviews = {
        review.answer_uid: review
        for review in session.exec(select(Review).where(col(Review.answer_uid).in_(uids))).all()
    }
    counts = feedback_counts(session=session, answer_uids=uids)
    return [QueueRow(a, reviews.get(a.uid), counts.get(a.uid, {})) for a in answers]


def feedback_counts(*, session: Session, answer_uids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Return {answer uid: {kind: presses}} for the given answers."""
    if not answer_uids:
        return {}
    statement = (
        select(Feedback.answer_uid, Feedback.kind, sa.func.count())
        .where(col(Feedback.answer_uid).in_(list(answer_uids)))
        .group_by(col(Feedback.answer_uid), col(Feedback.kind))
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for answer_uid, kind, presses in session.exec(statement).all():
        counts[answer_uid][kind] = int(presses)
    return dict(counts)


def get_answer(*, session: Session, uid: str) -> AnswerLog | None:
    """Return the answer with this public uid, or None."""
    return session.exec(select(AnswerLog).where(col(AnswerLog.uid) == uid)).first()


def feedback_for(*, session: Session, answer_uid: str) -> list[Feedback]:
    """Return the feedback presses on one answer, oldest first."""
    statement = (
        select(Feedback)
        .where(col(Feedback.answer_uid) == answer_uid)
        .order_by(col(Feedback.created_at), col(Feedback.id))
    )
    return list(session.exec(statement).all())


def languages(*, session: Session) -> list[str]:
    """Return the languages questions were asked in, for the filter menu."""
    statement = select(AnswerLog.language).distinct().order_by(col(AnswerLog.language))
    return [language for language in session.exec(statement).all() if language]


# --- reviews and the audit trail -----------------------------------------------------------------


def get_review(*, session: Session, answer_uid: str) -> Review | None:
    """Return the current review of an answer, or None."""
    return session.exec(select(Review).where(col(Review.answer_uid) == answer_uid)).first()


def _review_snapshot(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "verdict": review.verdict,
        "note": review.note,
        "corrected_answer": review.corrected_answer,
        "approved": review.approved,
        "moderator": review.moderator,
    }


def save_review(
    *,
    session: Session,
    answer_uid: str,
    moderator: str,
    verdict: str,
    note: str = "",
    corrected_answer: str = "",
    approved: bool = False,
) -> Review:
    """Create or update the review of an answer and record the change in the audit trail."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if approved and not corrected_answer.strip():
        raise ValueError("only a written corrected answer can be approved")
    review = get_review(session=session, answer_uid=answer_uid)
    before = _review_snapshot(review)
    now = utc_now()
    if review is None:
        review = Review(answer_uid=answer_uid, moderator=moderator, verdict=verdict, created_at=now)
    review.verdict = verdict
    review.note = note
    review.corrected_answer = corrected_answer
    review.approved = approved
    review.moderator = moderator
    review.updated_at = now
    session.add(review)
    after = _review_snapshot(review)
    if before != after:
        action = "review_created" if before is None else "review_updated"
        if approved and not (before or {}).get("approved"):
            action = "correction_approved"
        elif (before or {}).get("approved") and not approved:
            action = "approval_withdrawn"
        add_audit(
            session=session,
            moderator=moderator,
            action=action,
            answer_uid=answer_uid,
            before=before,
            after=after,
        )
    return review


def add_audit(
    *,
    session: Session,
    moderator: str,
    action: str,
    answer_uid: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail."""
    entry = AuditEntry(
        moderator=moderator, action=action, answer_uid=answer_uid, before=before, after=after
    )
    session.add(entry)
    return entry


def audit_entries(
    *, session: Session, answer_uid: str | None = None, limit: int = 200
) -> list[AuditEntry]:
    """Return audit entries, newest first, optionally for one answer."""
    statement = select(AuditEntry)
    if answer_uid is not None:
        statement = statement.where(col(AuditEntry.answer_uid) == answer_uid)
    statement = statement.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    return list(session.exec(statement.limit(limit)).all())


def approved_corrections(*, session: Session) -> list[CorrectionPublic]:
    """Return every approved corrected answer with the question it corrects."""
    statement = (
        sa.select(
            col(AnswerLog.question),
            col(Review.corrected_answer),
            col(AnswerLog.language),
            col(Review.updated_at),
            col(AnswerLog.uid),
        )
        .join(Review, col(Review.answer_uid) == col(AnswerLog.uid))
        .where(col(Review.approved).is_(True))
        .order_by(col(Review.updated_at).desc())
    )
    return [
        CorrectionPublic(
            question=question,
            corrected_answer=corrected,
            language=language,
            reviewed_at=reviewed_at,
            answer_uid=uid,
        )
        for question, corrected, language, reviewed_at, uid in session.connection().execute(
            statement
        )
        if corrected.strip()
    ]


# --- summaries -----------------------------------------------------------------------------------


def stats(*, session: Session, since: datetime) -> LogStats:
    """Count questions, abstentions and feedback presses since a moment."""
    questions, abstained = session.exec(
        select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((col(AnswerLog.abstained), 1), else_=0)), 0),
        ).where(col(AnswerLog.created_at) >= since)
    ).one()
    presses = Counter(
        {
            kind: int(count)
            for kind, count in session.exec(
                select(Feedback.kind, sa.func.count())
                .where(col(Feedback.created_at) >= since)
                .group_by(col(Feedback.kind))
            ).all()
        }
    )
    return LogStats(
        questions=int(questions),
        abstained=int(abstained),
        helpful=presses["helpful"],
        not_helpful=presses["not_helpful"],
        reported=presses["report"],
    )


@dataclass(frozen=True)
class DayCounts:
    """Activity on one calendar day (UTC)."""

    day: date
    questions: int = 0
    abstained: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def abstention_rate(self) -> float | None:
        return self.abstained / self.questions if self.questions else None

    @property
    def helpful_ratio(self) -> float | None:
        rated = self.helpful + self.not_helpful
        return self.helpful / rated if rated else None


def daily_counts(*, session: Session, first_day: date, last_day: date) -> list[DayCounts]:
    """Return one entry per day in the range, days without questions included."""
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)
    questions: Counter[date] = Counter()
    abstained: Counter[date] = Counter()
    for created_at, was_abstained in session.exec(
        select(AnswerLog.created_at, AnswerLog.abstained).where(
            col(AnswerLog.created_at) >= start, col(AnswerLog.created_at) < end
        )
    ).all():
        questions[created_at.date()] += 1
        abstained[created_at.date()] += int(bool(was_abstained))
    presses: dict[str, Counter[date]] = defaultdict(Counter)
    for created_at, kind in session.exec(
        select(Feedback.created_at, Feedback.kind).where(
            col(Feedback.created_at) >= start, col(Feedback.created_at) < end
        )
    ).all():
        presses[kind][created_at.date()] += 1
    days = []
    day = first_day
    while day <= last_day:
        days.append(
            DayCounts(
                day=day,
                questions=questions[day],
                abstained=abstained[day],
                helpful=presses["helpful"][day],
                not_helpful=presses["not_helpful"][day],
            )
        )
        day += timedelta(days=1)
    return days


def top_unanswered(*, session: Session, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
    """Return the questions the bot abstained on most often (case-folded), most frequent first."""
    counts: Counter[str] = Counter()
    wording: dict[str, str] = {}
    for question in session.exec(
        select(AnswerLog.question).where(
            col(AnswerLog.abstained).is_(True), col(AnswerLog.created_at) >= since
        )
    ).all():
        key = " ".join(question.lower().split()).rstrip("?!. ")
        counts[key] += 1
        wording.setdefault(key, question)
    return [(wording[key], count) for key, count in counts.most_common(limit)]


# --- retention -----------------------------------------------------------------------------------


def prune(*, session: Session, older_than: datetime) -> int:
    """Delete answers older than a moment with their feedback and reviews; return the count."""
    old_uids = select(AnswerLog.uid).where(col(AnswerLog.created_at) < older_than)
    session.exec(sa.delete(Feedback).where(col(Feedback.answer_uid).in_(old_uids)))  # type: ignore[call-overload]
    session.exec(sa.delete(Review).where(col(Review.answer_uid).in_(old_uids)))  # type: ignore[call-overload]
    result = session.exec(sa.delete(AnswerLog).where(col(AnswerLog.created_at) < older_than))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


# --- moderators ----------------------------------------------------------------------------------


def get_moderator(*, session: Session, name: str) -> Moderator | None:
    """Return the moderator with this name, or None."""
    return session.exec(select(Moderator).where(col(Moderator.name) == name)).first()


def create_moderator(*, session: Session, name: str, password_hash: str) -> Moderator:
    """Register a moderator; raise ModeratorExistsError if the name is taken."""
    if get_moderator(session=session, name=name) is not None:
        raise ModeratorExistsError(f"moderator {name!r} already exists")
    moderator = Moderator(name=name, password_hash=password_hash)
    session.add(moderator)
    return moderator
