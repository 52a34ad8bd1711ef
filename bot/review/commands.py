"""Command-line entry points: `negobot review`, `negobot moderator ...`, `negobot prune`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import get_settings
from bot.logstore import crud
from bot.logstore.database import make_engine, migrate
from bot.logstore.models import ROLES, utc_now
from bot.review import auth

log = logging.getLogger(__name__)


@click.command("review")
@click.option("--host", default=None, help="Address to listen on (default: review_host setting).")
@click.option("--port", type=int, default=None, help="Port (default: review_port setting).")
def review_command(host: str | None, port: int | None) -> None:
    """Run the moderators' review desk web app."""
    import uvicorn

    from bot.review.app import create_app

    settings = get_settings()
    try:
        app = create_app(
            settings.database_url,
            secure_cookies=settings.review_secure_cookies,
            trusted_proxies=settings.review_trusted_proxies,
        )
    except Exception as error:  # a bad URL or an unreachable database: one line, no traceback
        raise click.ClickException(f"cannot open the review desk: {error}") from error
    uvicorn.run(
        app,
        host=host or settings.review_host,
        port=port or settings.review_port,
        log_level=str(settings.log_level).lower(),
        # The desk reads X-Forwarded-For itself, and only from NEGOBOT_REVIEW_TRUSTED_PROXIES.
        proxy_headers=False,
    )


@click.group("moderator")
def moderator_group() -> None:
    """Manage review desk moderator accounts."""


def _read_password(name: str, password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True))


@contextmanager
def _accounts() -> Iterator[Session]:
    """A committed session on the log database; account errors become one-line messages."""
    engine = _open(get_settings().database_url)
    try:
        with Session(engine) as session:
            yield session
            session.commit()
    except (ValueError, crud.ModeratorExistsError, crud.UnknownModeratorError) as error:
        message = error.args[0] if isinstance(error, LookupError) else str(error)
        raise click.ClickException(str(message)) from error
    finally:
        engine.dispose()


PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True, help="Read the password from one line of standard input."
)


@moderator_group.command("add")
@click.argument("name")
@PASSWORD_STDIN
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default=None,
    help="reviewer: verdicts, notes, draft corrections; approver: also approves corrections "
    "(default: approver for the first moderator, reviewer after).",
)
def add_moderator_command(name: str, password_stdin: bool, role: str | None) -> None:
    """Create a moderator account NAME (the password is asked for, or read from stdin)."""
    try:
        cleaned = auth.check_moderator_name(name)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    password = _read_password(cleaned, password_stdin)
    with _accounts() as session:
        moderator = auth.add_moderator(session=session, name=cleaned, password=password, role=role)
        chosen = moderator.role
    click.echo(f"moderator {cleaned} added ({chosen})")


@moderator_group.command("list")
def list_moderators_command() -> None:
    """List moderators: name, role, state, live sessions, created."""
    with _accounts() as session:
        moderators = crud.list_moderators(session=session)
        live = crud.live_session_counts(session=session)
        lines = [
            f"{m.name}\t{m.role}\t{'disabled' if m.disabled else 'enabled'}\t"
            f"{live.get(m.id or 0, 0)} sessions\t{m.created_at:%Y-%m-%d}"
            for m in moderators
        ]
    click.echo("\n".join(lines) if lines else "no moderators")


@moderator_group.command("remove")
@click.argument("name")
def remove_moderator_command(name: str) -> None:
    """Delete moderator NAME and end their sessions (their reviews and audit entries stay)."""
    with _accounts() as session:
        crud.remove_moderator(session=session, name=name)
        crud.add_audit(session=session, moderator=name, action="moderator_removed")
    click.echo(f"moderator {name} removed")


@moderator_group.command("disable")
@click.argument("name")
def disable_moderator_command(name: str) -> None:
    """Stop moderator NAME from logging in and end their sessions."""
    with _accounts() as session:
        crud.set_disabled(session=session, name=name, disabled=True)
        crud.add_audit(session=session, moderator=name, action="moderator_disabled")
    click.echo(f"moderator {name} disabled")


@moderator_group.command("enable")
@click.argument("name")
def enable_moderator_command(name: str) -> None:
    """Let a disabled moderator NAME log in again."""
    with _accounts() as session:
        crud.set_disabled(session=session, name=name, disabled=False)
        crud.add_audit(session=session, moderator=name, action="moderator_enabled")
    click.echo(f"moderator {name} enabled")


@moderator_group.command("reset-password")
@click.argument("name")
@PASSWORD_STDIN
def reset_password_command(name: str, password_stdin: bool) -> None:
    """Give moderator NAME a new password and end their sessions."""
    password = _read_password(name, password_stdin)
    with _accounts() as session:
        auth.reset_password(session=session, name=name, password=password)
        crud.add_audit(session=session, moderator=name, action="password_reset")
    click.echo(f"password of {name} reset; their sessions ended")


@moderator_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(name: str, role: str) -> None:
    """Make moderator NAME a reviewer or an approver."""
    with _accounts() as session:
        crud.set_role(session=session, name=name, role=role)
        crud.add_audit(session=session, moderator=name, action="role_changed", after={"role": role})
    click.echo(f"moderator {name} is now {role}")


@click.command("prune")
@click.option(
    "--days", type=click.IntRange(min=0), default=None, help="Delete records older than N days."
)
def prune_command(days: int | None) -> None:
    """Delete logged answers (with their feedback and reviews) older than N days."""
    settings = get_settings()
    if days is None:
        days = settings.retention_days
    if days is None:
        raise click.ClickException("give --days N or set NEGOBOT_RETENTION_DAYS")
    engine = _open(settings.database_url)
    try:
        with Session(engine) as session:
            deleted = crud.prune(session=session, older_than=utc_now() - timedelta(days=days))
            session.commit()
    finally:
        engine.dispose()
    click.echo(f"deleted {deleted} answers older than {days} days")


def _open(database_url: str) -> Engine:
    try:
        engine = make_engine(database_url)
        migrate(engine)
    except Exception as error:
        raise click.ClickException(f"cannot open the log database: {error}") from error
    return engine
