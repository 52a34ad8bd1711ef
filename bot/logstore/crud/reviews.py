"""Reviews, corrections and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
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


class ReviewConflict(ValueError):
    """The review changed since the form was loaded; `current` is the version now saved."""

    def __init__(self, current: Review) -> None:
        super().__init__(
            f"{current.moderator} saved this review (version {current.version}) after you "
            "opened the form"
        )
        self.current = current


class ApprovalNotAllowed(PermissionError):
    """A reviewer tried to approve a correction; only approvers may."""


@dataclass
class AuditRow:
    """One audit entry with the question of the answer it concerns (None once pruned)."""

    entry: AuditEntry
    question: str | None


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
    may_approve: bool = True,
    expected_version: int | None = None,
) -> Review:
    """Create or update the review of an answer and record the change in the audit trail.

    `expected_version` is the review version the form was loaded with (0: none yet); a newer
    one saved meanwhile raises ReviewConflict. Without `may_approve` (a reviewer), a correction
    can't be approved, and an approved one stays approved only while its text is unchanged.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if approved and not corrected_answer.strip():
        raise ValueError("only a written corrected answer can be approved")
    review = session.exec(
        select(Review).where(col(Review.answer_uid) == answer_uid).with_for_update()
    ).first()
    current_version = review.version if review is not None else 0
    if expected_version is not None and review is not None and expected_version != current_version:
        raise ReviewConflict(review)
    if not may_approve:
        keeps = bool(
            review is not None and review.approved and review.corrected_answer == corrected_answer
        )
        if approved and not keeps:
            raise ApprovalNotAllowed("only an approver can approve a correction")
        approved = keeps
    before = _review_snapshot(review)
    now = utc_now()
    if review is None:
        review = Review(
            answer_uid=answer_uid, moderator=moderator, verdict=verdict, created_at=now, version=0
        )
    review.verdict = verdict
    review.note = note
    review.corrected_answer = corrected_answer
    review.approved = approved
    after = _review_snapshot(review)
    after = {**(after or {}), "moderator": moderator}
    if before == after:
        return review
    review.moderator = moderator
    review.updated_at = now
    review.version = current_version + 1
    session.add(review)
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


def _audit_statement(statement: Any, moderator: str, action: str) -> Any:
    if moderator:
        statement = statement.where(col(AuditEntry.moderator) == moderator)
    if action:
        statement = statement.where(col(AuditEntry.action) == action)
    return statement


def count_audit(*, session: Session, moderator: str = "", action: str = "") -> int:
    """Count the audit entries by a moderator and/or of an action ("" for any)."""
    statement = select(sa.func.count()).select_from(AuditEntry)
    return int(session.exec(_audit_statement(statement, moderator, action)).one())


def audit_page(
    *, session: Session, moderator: str = "", action: str = "", limit: int = 50, offset: int = 0
) -> list[AuditRow]:
    """Return a page of audit entries, newest first, each with its answer's question."""
    statement = select(AuditEntry, AnswerLog.question).outerjoin(
        AnswerLog, col(AnswerLog.uid) == col(AuditEntry.answer_uid)
    )
    statement = _audit_statement(statement, moderator, action)
    statement = statement.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    rows = session.exec(statement.limit(limit).offset(offset)).all()
    return [AuditRow(entry, question) for entry, question in rows]


def audit_choices(*, session: Session) -> tuple[list[str], list[str]]:
    """Return the moderators and actions that occur in the audit trail, for filter menus."""
    moderators = session.exec(select(AuditEntry.moderator).distinct()).all()
    actions = session.exec(select(AuditEntry.action).distinct()).all()
    return sorted(moderators), sorted(actions)


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
