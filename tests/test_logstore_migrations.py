"""Migration 0002_review_desk on SQLite and PostgreSQL: up from 0001 with data, down, up again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bot.logstore.database import alembic_config, make_engine, migrate


def _run(engine: Engine, step: Callable[[Config, str], None], target: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, target)


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def test_review_desk_migration_keeps_data_and_goes_both_ways(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _run(engine, command.downgrade, "0001")
        assert "role" not in _columns(engine, "moderator")
        assert "desk_session" not in sa.inspect(engine).get_table_names()
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO moderator (name, created_at, password_hash) "
                    "VALUES ('old-timer', :now, 'x')"
                ),
                {"now": datetime.now(UTC)},
            )
        _run(engine, command.upgrade, "head")
        with engine.connect() as connection:
            role, disabled = connection.execute(
                sa.text("SELECT role, disabled FROM moderator WHERE name = 'old-timer'")
            ).one()
        # Moderators from before roles could approve corrections; they still can.
        assert (role, bool(disabled)) == ("approver", False)
        assert {"version"} <= _columns(engine, "review")
        assert {"abstain_reason", "refused_reason"} <= _columns(engine, "answer_log")
        assert "desk_session" in sa.inspect(engine).get_table_names()
        _run(engine, command.downgrade, "0001")
        assert "refused_reason" not in _columns(engine, "answer_log")
        _run(engine, command.upgrade, "head")
        assert "draft" in _columns(engine, "desk_session")
    finally:
        migrate(engine)
        engine.dispose()
