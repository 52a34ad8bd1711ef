"""Review desk: server-side sessions, moderator roles, review versions, refusal and abstain reasons.

Revision ID: 0002_review_desk
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.logstore.models import UTCDateTime

revision = "0002_review_desk"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("moderator") as batch:
        batch.add_column(
            sa.Column("role", sa.String(16), nullable=False, server_default="reviewer")
        )
        batch.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Every moderator could approve corrections before roles existed; they keep that right.
    op.execute("UPDATE moderator SET role = 'approver'")

    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))

    with op.batch_alter_table("answer_log") as batch:
        batch.add_column(sa.Column("abstain_reason", sa.String(32), nullable=True))
        batch.add_column(sa.Column("refused_reason", sa.String(32), nullable=True))
        batch.create_index("ix_answer_log_refused_reason", ["refused_reason"])

    op.create_table(
        "desk_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "moderator_id",
            sa.Integer(),
            sa.ForeignKey("moderator.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=True),
    )
    op.create_index("ix_desk_session_token_hash", "desk_session", ["token_hash"], unique=True)
    op.create_index("ix_desk_session_moderator_id", "desk_session", ["moderator_id"])
    op.create_index("ix_desk_session_expires_at", "desk_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("desk_session")
    with op.batch_alter_table("answer_log") as batch:
        batch.drop_index("ix_answer_log_refused_reason")
        batch.drop_column("refused_reason")
        batch.drop_column("abstain_reason")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("moderator") as batch:
        batch.drop_column("disabled")
        batch.drop_column("role")
