"""Summaries for the dashboard and /stats, and pruning old records."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import (
    AnswerLog,
    Feedback,
    LogStats,
    Review,
)


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


def prune(*, session: Session, older_than: datetime) -> int:
    """Delete answers older than a moment with their feedback and reviews; return the count."""
    old_uids = select(AnswerLog.uid).where(col(AnswerLog.created_at) < older_than)
    session.exec(sa.delete(Feedback).where(col(Feedback.answer_uid).in_(old_uids)))  # type: ignore[call-overload]
    session.exec(sa.delete(Review).where(col(Review.answer_uid).in_(old_uids)))  # type: ignore[call-overload]
    result = session.exec(sa.delete(AnswerLog).where(col(AnswerLog.created_at) < older_than))  # type: ignore[call-overload]
    return int(result.rowcount or 0)
