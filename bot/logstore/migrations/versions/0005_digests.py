"""Daily digests: which chats take one and what it covered; the reports of each alert batch.

Revision ID: 0005_digests
Revises: 0004_subscriptions
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.logstore.models import UTCDateTime

revision = "0005_digests"
down_revision = "0004_subscriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_digest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("covered_batch_id", sa.Integer(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", name="uq_chat_digest_chat_id"),
    )
    # Batches from before this migration keep no report keys: a digest skips them.
    with op.batch_alter_table("alert_batch") as batch:
        batch.add_column(sa.Column("report_keys", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_batch") as batch:
        batch.drop_column("buttons")
        batch.drop_column("report_keys")
    op.drop_table("chat_digest")
