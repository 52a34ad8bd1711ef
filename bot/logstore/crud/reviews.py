"""Reviews, corrections and the audit trail."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import (
    VERDICTS,
    AnswerLog,
    AuditEntry,
    CorrectionPublic,
    Review,
    utc_now,
)


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
