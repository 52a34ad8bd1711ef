"""The review queue: filtered, paged answers with their feedback counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import (
    FEEDBACK_KINDS,
    VERDICTS,
    AnswerLog,
    Feedback,
    Review,
)


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
    verdict: str = ""  # one of VERDICTS
    served_correction: bool | None = None
    refused: bool | None = None
    unreviewed_first: bool = True


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
    if filters.date_to and filters.date_to < date.max:
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
    if filters.verdict in VERDICTS:
        judged = (
            select(Review.id)
            .where(col(Review.answer_uid) == col(AnswerLog.uid))
            .where(col(Review.verdict) == filters.verdict)
        )
        statement = statement.where(judged.exists())
    if filters.served_correction is not None:
        statement = statement.where(col(AnswerLog.reviewed_answer) == filters.served_correction)
    if filters.refused is not None:
        refused = col(AnswerLog.refused_reason).is_not(None)
        statement = statement.where(refused if filters.refused else ~refused)
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
    """Return a page of matching answers with reviews and feedback counts.

    Newest first; by default the answers nobody has reviewed yet come before the reviewed ones.
    """
    statement = _filtered(select(AnswerLog), filters)
    order: list[Any] = [col(AnswerLog.created_at).desc(), col(AnswerLog.id).desc()]
    if filters.unreviewed_first:
        reviewed = select(Review.id).where(col(Review.answer_uid) == col(AnswerLog.uid)).exists()
        order.insert(0, sa.case((reviewed, 1), else_=0))
    statement = statement.order_by(*order)
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
