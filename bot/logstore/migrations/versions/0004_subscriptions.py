"""Subscriptions and alerts: chats following tracks, alert batches and the outbox of sends.

Revision ID: 0004_subscriptions
Revises: 0003_follow_ups
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.logstore.models import UTCDateTime

revision = "0004_subscriptions"
down_revision = "0003_follow_ups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("track_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", "track_id", name="uq_subscription_chat"),
    )
    op.create_index("ix_subscription_chat_id", "subscription", ["chat_id"])
    op.create_index("ix_subscription_track_id", "subscription", ["track_id"])
    op.create_table(
        "alert_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("track_id", sa.String(64), nullable=False),
        sa.Column("reports_key", sa.String(64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("track_id", "reports_key", name="uq_alert_batch"),
    )
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "batch_id",
            sa.Integer(),
            sa.ForeignKey("alert_batch.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.UniqueConstraint("batch_id", "chat_id", name="uq_alert_outbox"),
    )
    op.create_index("ix_alert_outbox_batch_id", "alert_outbox", ["batch_id"])
    op.create_index("ix_alert_outbox_chat_id", "alert_outbox", ["chat_id"])
    op.create_index("ix_alert_outbox_status", "alert_outbox", ["status"])


def downgrade() -> None:
    op.drop_table("alert_outbox")
    op.drop_table("alert_batch")
    op.drop_table("subscription")
