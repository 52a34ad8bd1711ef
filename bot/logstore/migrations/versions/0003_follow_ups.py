"""Follow-ups: the question as answered beside the one asked; what a reporter says is wrong.

Revision ID: 0003_follow_ups
Revises: 0002_review_desk
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_follow_ups"
down_revision = "0002_review_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer_log") as batch:
        batch.add_column(sa.Column("resolved_question", sa.Text(), nullable=True))
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("note")
    with op.batch_alter_table("answer_log") as batch:
        batch.drop_column("resolved_question")
