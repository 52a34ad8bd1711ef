"""Alembic environment: runs on the connection the caller hands over, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import bot.logstore.alert_models  # registers the subscription and alert tables
import bot.logstore.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    """Run the pending migrations on the connection given in the config's attributes."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through bot.logstore.database.migrate(engine)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
