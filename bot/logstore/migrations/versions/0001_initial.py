"""Create the log store: answers, feedback, reviews, audit trail, moderators.

Revision ID: 0001
Revises:
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.logstore.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("front_end", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_type", sa.String(32), nullable=True),
        sa.Column("user_key", sa.String(32), nullable=True),
        sa.Column("raw_user_id", sa.BigInteger(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("reviewed_answer", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("retrieved", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("index_version", sa.String(200), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
    )
    op.create_index("ix_answer_log_uid", "answer_log", ["uid"], unique=True)
    op.create_index("ix_answer_log_created_at", "answer_log", ["created_at"])
    op.create_index("ix_answer_log_user_key", "answer_log", ["user_key"])
    op.create_index("ix_answer_log_language", "answer_log", ["language"])
    op.create_index("ix_answer_log_abstained", "answer_log", ["abstained"])

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column(
            "answer_uid",
            sa.String(32),
            sa.ForeignKey("answer_log.uid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("user_key", sa.String(32), nullable=True),
    )
    op.create_index("ix_feedback_uid", "feedback", ["uid"], unique=True)
    op.create_index("ix_feedback_answer_uid", "feedback", ["answer_uid"])

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "answer_uid",
            sa.String(32),
            sa.ForeignKey("answer_log.uid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("corrected_answer", sa.Text(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("moderator", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_review_answer_uid", "review", ["answer_uid"], unique=True)
    op.create_index("ix_review_approved", "review", ["approved"])

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("moderator", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("answer_uid", sa.String(32), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_answer_uid", "audit_entry", ["answer_uid"])

    op.create_table(
        "moderator",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
    )
    op.create_index("ix_moderator_name", "moderator", ["name"], unique=True)


def downgrade() -> None:
    for table in ("moderator", "audit_entry", "review", "feedback", "answer_log"):
        op.drop_table(table)
