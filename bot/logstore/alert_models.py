"""Tables of subscriptions and alerts: who follows which track, and what was sent to whom."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.logstore.models import UTCDateTime, utc_now

EVERYTHING = "*"  # the track id a chat follows when it follows every negotiation
DIGEST = "#digest"  # the track id of a batch that is one chat's daily digest (no track has it)
OutboxStatus = Literal["pending", "sending", "sent", "dropped"]


class Subscription(SQLModel, table=True):
    """A chat following one negotiation track (or all of them), in the language it reads."""

    __tablename__ = "subscription"
    __table_args__ = (sa.UniqueConstraint("chat_id", "track_id", name="uq_subscription_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger, index=True)
    track_id: str = Field(max_length=64, index=True)
    language: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class AlertBatch(SQLModel, table=True):
    """New reports on one track from one ingest, with the alert composed per language."""

    __tablename__ = "alert_batch"
    __table_args__ = (sa.UniqueConstraint("track_id", "reports_key", name="uq_alert_batch"),)

    id: int | None = Field(default=None, primary_key=True)
    track_id: str = Field(max_length=64)
    # SHA-256 of the report keys: the same reports never make a second batch.
    reports_key: str = Field(max_length=64)
    as_of: date
    texts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # language -> HTML
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # The article keys of the reports, so a daily digest can write a day's batches as one.
    report_keys: list[str] | None = Field(default=None, sa_type=sa.JSON)
    # A digest's buttons, [[label, track id], ...]; an alert has its track's one button.
    buttons: list[list[str]] | None = Field(default=None, sa_type=sa.JSON)


class ChatDigest(SQLModel, table=True):
    """A chat that takes one daily digest instead of alerts, and what its digests covered."""

    __tablename__ = "chat_digest"
    __table_args__ = (sa.UniqueConstraint("chat_id", name="uq_chat_digest_chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    minute: int  # of the UTC day the digest goes out at (8:30 -> 510)
    language: str = Field(max_length=8)
    # The newest alert batch a digest covered: later batches are news for the next one.
    covered_batch_id: int = 0
    # The last UTC day the chat's digest was done (sent, or found nothing new).
    done_on: date | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class AlertOutbox(SQLModel, table=True):
    """One alert for one chat: pending until a bot claims it, then sent (or dropped)."""

    __tablename__ = "alert_outbox"
    __table_args__ = (sa.UniqueConstraint("batch_id", "chat_id", name="uq_alert_outbox"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="alert_batch.id", ondelete="CASCADE", index=True)
    chat_id: int = Field(sa_type=sa.BigInteger, index=True)
    language: str = Field(max_length=8)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=200)
