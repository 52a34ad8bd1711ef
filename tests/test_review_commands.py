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


def _run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(commands.moderator_group, list(args), input=stdin)


def test_first_moderator_is_an_approver_and_roles_can_be_chosen(settings: Settings) -> None:
    assert "(approver)" in _run("add", "alice", "--password-stdin", stdin="long enough pw\n").output
    assert "(reviewer)" in _run("add", "bob", "--password-stdin", stdin="long enough pw\n").output
    carol = _run("add", "carol", "--password-stdin", "--role", "approver", stdin="long enough pw\n")
    assert "(approver)" in carol.output
    assert _run("set-role", "carol", "reviewer").exit_code == 0
    listing = _run("list")
    assert listing.exit_code == 0
    rows = [line.split("\t")[:4] for line in listing.output.splitlines()]
    assert rows == [
        ["alice", "approver", "enabled", "0 sessions"],
        ["bob", "reviewer", "enabled", "0 sessions"],
        ["carol", "reviewer", "enabled", "0 sessions"],
    ]


def _session_for(url: str, name: str) -> str:
    from bot.logstore.database import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        moderator = crud.get_moderator(session=session, name=name)
        token = auth.start_session(session=session, moderator=moderator)
        session.commit()
    engine.dispose()
    return token


def _is_live(url: str, token: str) -> bool:
    from bot.logstore.database import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        login = auth.resume_session(session=session, token=token)
    engine.dispose()
    return login is not None


def test_disable_enable_reset_and_remove_end_sessions(settings: Settings) -> None:
    url = settings.database_url
    assert _run("add", "alice", "--password-stdin", stdin="long enough pw\n").exit_code == 0
    token = _session_for(url, "alice")
    assert "1 sessions" in _run("list").output

    assert _run("disable", "alice").output == "moderator alice disabled\n"
    assert not _is_live(url, token)
    assert "disabled\t0 sessions" in _run("list").output
    assert _run("enable", "alice").exit_code == 0

    token = _session_for(url, "alice")
    reset = _run("reset-password", "alice", "--password-stdin", stdin="a new password\n")
    assert reset.exit_code == 0, reset.output
    assert not _is_live(url, token)
    from bot.logstore.database import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        assert auth.authenticate(session=session, name="alice", password="a new password")
        assert auth.authenticate(session=session, name="alice", password="long enough pw") is None
    engine.dispose()

    token = _session_for(url, "alice")
    assert _run("remove", "alice").output == "moderator alice removed\n"
    assert not _is_live(url, token)
    assert count_rows(url, "moderator") == 0
    assert count_rows(url, "desk_session") == 0
    assert _run("list").output == "no moderators\n"


def test_account_commands_name_an_unknown_moderator_in_one_line(settings: Settings) -> None:
    for args in (
        ["remove", "zed"],
        ["disable", "zed"],
        ["enable", "zed"],
        ["set-role", "zed", "approver"],
    ):
        result = _run(*args)
        assert result.exit_code == 1
        assert result.output == "Error: no moderator is called 'zed'\n"
    short = _run("reset-password", "zed", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1
    assert "at least 8 characters" in short.output
