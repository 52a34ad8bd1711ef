"""The command-line side: adding moderators, pruning old records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from bot.config import Settings
from bot.logstore import LogStore, crud
from bot.review import auth, commands
from tests.support.logstore import count_rows, log_kwargs, make_answer


@pytest.fixture
def settings(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, fast_password_hashing: None):
    configured = Settings(database_url=sqlite_url, retention_days=None)
    monkeypatch.setattr(commands, "get_settings", lambda: configured)
    return configured


def test_moderator_add_reads_the_password_from_stdin(settings: Settings) -> None:
    result = CliRunner().invoke(
        commands.moderator_group, ["add", "alice", "--password-stdin"], input="long enough pw\n"
    )
    assert result.exit_code == 0, result.output
    assert "moderator alice added" in result.output
    from bot.logstore.database import make_engine

    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        assert auth.authenticate(session=session, name="alice", password="long enough pw")
    engine.dispose()


def test_moderator_add_prompts_twice_without_echo(settings: Settings) -> None:
    result = CliRunner().invoke(
        commands.moderator_group, ["add", "bob"], input="secret pass 1\nsecret pass 1\n"
    )
    assert result.exit_code == 0, result.output
    assert "secret pass 1" not in result.output
    assert count_rows(settings.database_url, "moderator") == 1


def test_moderator_add_refuses_duplicates_and_short_passwords(settings: Settings) -> None:
    runner = CliRunner()
    args = ["add", "carol", "--password-stdin"]
    assert runner.invoke(commands.moderator_group, args, input="long enough pw\n").exit_code == 0
    again = runner.invoke(commands.moderator_group, args, input="another long pw\n")
    assert again.exit_code == 1
    assert "moderator 'carol' already exists" in again.output
    assert "Traceback" not in again.output
    short = runner.invoke(
        commands.moderator_group, ["add", "dave", "--password-stdin"], input="x\n"
    )
    assert short.exit_code == 1
    assert "at least 8 characters" in short.output
    assert count_rows(settings.database_url, "moderator") == 1


def test_prune_needs_days_and_deletes_old_answers(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(commands.prune_command, [])
    assert missing.exit_code == 1
    assert "--days" in missing.output

    store = LogStore(settings.database_url, user_key_secret="s", spool_path=tmp_path / "s.jsonl")
    old = store.log_answer(make_answer("old?"), **log_kwargs())
    store.log_answer(make_answer("new?"), **log_kwargs())
    assert store.flush(timeout=10)
    with Session(store.engine) as session:
        row = crud.get_answer(session=session, uid=old)
        row.created_at = datetime.now(UTC) - timedelta(days=100)
        session.add(row)
        session.commit()
    store.close()

    result = runner.invoke(commands.prune_command, ["--days", "90"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 answers older than 90 days" in result.output
    assert count_rows(settings.database_url, "answer_log") == 1

    settings.retention_days = 0
    assert "deleted 1 answers" in runner.invoke(commands.prune_command, []).output
