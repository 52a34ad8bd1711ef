"""Log store migrations on SQLite and PostgreSQL: up from the one before, with data, down, up."""

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


def test_follow_ups_migration_keeps_answers_and_goes_both_ways(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _run(engine, command.downgrade, "0002_review_desk")
        assert "resolved_question" not in _columns(engine, "answer_log")
        assert "note" not in _columns(engine, "feedback")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO answer_log (uid, created_at, front_end, question, language, "
                    "answer_text, abstained, mode, reviewed_answer, retrieved, sources, model, "
                    "index_version, latency_ms) VALUES ('before-follow-ups', :now, 'telegram', "
                    "'Who met?', 'en', 'They met.', false, 'extractive', false, '[]', '[]', "
                    "'fake', 'v1', 1.0)"
                ),
                {"now": datetime.now(UTC)},
            )
        _run(engine, command.upgrade, "head")
        with engine.connect() as connection:
            question, resolved = connection.execute(
                sa.text(
                    "SELECT question, resolved_question FROM answer_log "
                    "WHERE uid = 'before-follow-ups'"
                )
            ).one()
        # An answer from before follow-ups was answered as asked.
        assert (question, resolved) == ("Who met?", None)
        assert "note" in _columns(engine, "feedback")
        _run(engine, command.downgrade, "0002_review_desk")
        assert "resolved_question" not in _columns(engine, "answer_log")
        _run(engine, command.upgrade, "head")
        assert "resolved_question" in _columns(engine, "answer_log")
    finally:
        migrate(engine)
        engine.dispose()


def test_subscriptions_migration_goes_both_ways(database_url: str) -> None:
    engine = make_engine(database_url)
    tables = {"subscription", "alert_batch", "alert_outbox"}
    try:
        migrate(engine)
        assert tables <= set(sa.inspect(engine).get_table_names())
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO subscription (chat_id, track_id, language, created_at) "
                    "VALUES (-1001234567890, '*', 'en', :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        _run(engine, command.downgrade, "0003_follow_ups")
        assert not tables & set(sa.inspect(engine).get_table_names())
        assert "resolved_question" in _columns(engine, "answer_log")
        _run(engine, command.upgrade, "head")
        assert tables <= set(sa.inspect(engine).get_table_names())
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM subscription")).scalar_one()
        assert count == 0  # the tables are new again: a downgrade forgets subscriptions
    finally:
        migrate(engine)
        engine.dispose()


def test_digests_migration_keeps_batches_and_goes_both_ways(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _run(engine, command.downgrade, "0004_subscriptions")
        assert "chat_digest" not in sa.inspect(engine).get_table_names()
        assert "report_keys" not in _columns(engine, "alert_batch")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO alert_batch (track_id, reports_key, as_of, texts, created_at) "
                    "VALUES ('gaza', 'k', '2025-10-10', '{\"en\": \"x\"}', :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        _run(engine, command.upgrade, "head")
        assert {"report_keys", "buttons"} <= _columns(engine, "alert_batch")
        assert "done_on" in _columns(engine, "chat_digest")
        with engine.connect() as connection:
            keys = connection.execute(
                sa.text("SELECT report_keys FROM alert_batch WHERE track_id = 'gaza'")
            ).scalar_one()
        assert keys is None  # a batch from before digests: a digest skips it
        _run(engine, command.downgrade, "0004_subscriptions")
        assert "buttons" not in _columns(engine, "alert_batch")
        _run(engine, command.upgrade, "head")
        assert "chat_digest" in sa.inspect(engine).get_table_names()
    finally:
        migrate(engine)
        engine.dispose()
