"""Tables of the log store, each with its Base / table / Public family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

Verdict = Literal["correct", "incorrect", "needs_work"]
VERDICTS: tuple[str, ...] = ("correct", "incorrect", "needs_work")
ROLES: tuple[str, ...] = ("reviewer", "approver")
# Why a question was refused before any search ran (too long, empty).
REFUSAL_REASONS: tuple[str, ...] = ("too_long", "empty")
# Why an answer declined: outside the library's dates, too far from every passage, off the
# bot's subject, the reader found no answer in the passages, or the question was too short to
# stand alone with nothing before it.
ABSTAIN_REASONS: tuple[str, ...] = (
    "outside_dates",
    "below_threshold",
    "off_topic",
    "no_answer_found",
    "incomplete",
)
FEEDBACK_KINDS: tuple[str, ...] = ("helpful", "not_helpful", "report")


def utc_now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the log store; use timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# --- answers -------------------------------------------------------------------------------------


class AnswerLogBase(SQLModel):
    uid: str = Field(max_length=32, unique=True, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    front_end: str = Field(max_length=16)
    chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    chat_type: str | None = Field(default=None, max_length=32)
    user_key: str | None = Field(default=None, max_length=32, index=True)
    question: str = Field(sa_type=sa.Text)
    # A follow-up as answered: with the subject of the conversation it leaned on.
    resolved_question: str | None = Field(default=None, sa_type=sa.Text)
    language: str = Field(default="", max_length=16, index=True)
    answer_text: str = Field(default="", sa_type=sa.Text)
    abstained: bool = Field(default=False, index=True)
    mode: str = Field(default="extractive", max_length=32)
    reviewed_answer: bool = False  # the bot served an approved correction instead of retrieval
    as_of: date | None = None
    retrieved: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    model: str = Field(default="", max_length=200)
    index_version: str = Field(default="", max_length=200)
    latency_ms: float = 0.0
    abstain_reason: str | None = Field(default=None, max_length=32)
    refused_reason: str | None = Field(default=None, max_length=32, index=True)


class AnswerLog(AnswerLogBase, table=True):
    __tablename__ = "answer_log"

    id: int | None = Field(default=None, primary_key=True)
    raw_user_id: int | None = Field(default=None, sa_type=sa.BigInteger)


class AnswerLogPublic(AnswerLogBase):
    """An answer as moderators see it: no database id, no raw user id."""


# --- feedback ------------------------------------------------------------------------------------


class FeedbackBase(SQLModel):
    uid: str = Field(max_length=32, unique=True, index=True)
    answer_uid: str = Field(
        max_length=32, foreign_key="answer_log.uid", ondelete="CASCADE", index=True
    )
    kind: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    user_key: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_type=sa.Text)  # what a reporter says is wrong


class Feedback(FeedbackBase, table=True):
    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)


class FeedbackPublic(FeedbackBase):
    """A feedback press as moderators see it."""


# --- reviews -------------------------------------------------------------------------------------


class ReviewBase(SQLModel):
    verdict: str = Field(max_length=16)
    note: str = Field(default="", sa_type=sa.Text)
    corrected_answer: str = Field(default="", sa_type=sa.Text)
    approved: bool = Field(default=False, index=True)
    # Bumped on every save, so a form written against an older version can be refused.
    version: int = 1


class Review(ReviewBase, table=True):
    """The current review of one answer; its history is in the audit trail."""

    __tablename__ = "review"

    id: int | None = Field(default=None, primary_key=True)
    answer_uid: str = Field(
        max_length=32, foreign_key="answer_log.uid", ondelete="CASCADE", unique=True, index=True
    )
    moderator: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ReviewPublic(ReviewBase):
    answer_uid: str
    moderator: str
    created_at: datetime
    updated_at: datetime


class CorrectionPublic(SQLModel):
    """An approved corrected answer the bot may serve for close matches of the question."""

    question: str
    corrected_answer: str
    language: str
    reviewed_at: datetime
    answer_uid: str


# --- audit trail ---------------------------------------------------------------------------------


class AuditEntryBase(SQLModel):
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    moderator: str = Field(max_length=64)
    action: str = Field(max_length=32)
    answer_uid: str | None = Field(default=None, max_length=32, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class AuditEntry(AuditEntryBase, table=True):
    """One moderator action; kept even when the answer it concerns is pruned."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)


class AuditEntryPublic(AuditEntryBase):
    id: int


# --- moderators ----------------------------------------------------------------------------------


class ModeratorBase(SQLModel):
    name: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    role: str = Field(default="reviewer", max_length=16)  # reviewer | approver
    disabled: bool = False


class Moderator(ModeratorBase, table=True):
    __tablename__ = "moderator"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)


class ModeratorPublic(ModeratorBase):
    """A moderator account without its password hash."""


# --- desk sessions -------------------------------------------------------------------------------


class DeskSession(SQLModel, table=True):
    """A logged-in browser; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "desk_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    moderator_id: int = Field(foreign_key="moderator.id", ondelete="CASCADE", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A review form typed before the login, restored on the answer's page once.
    draft: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


# --- summaries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogStats:
    """Counts over a period: questions, abstentions and feedback presses."""

    questions: int
    abstained: int
    helpful: int
    not_helpful: int
    reported: int

    @property
    def abstention_rate(self) -> float:
        return self.abstained / self.questions if self.questions else 0.0

    @property
    def helpful_ratio(self) -> float:
        rated = self.helpful + self.not_helpful
        return self.helpful / rated if rated else 0.0
