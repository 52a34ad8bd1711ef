"""Command-line entry points: `negobot review`, `negobot moderator add`, `negobot prune`."""

from __future__ import annotations

import logging
import secrets
import sys
from datetime import timedelta

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import get_settings
from bot.logstore import crud
from bot.logstore.database import make_engine, migrate
from bot.logstore.models import utc_now
from bot.review import auth

log = logging.getLogger(__name__)


def _secret(value: object) -> str:
    if value is None:
        return ""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


@click.command("review")
@click.option("--host", default=None, help="Address to listen on (default: review_host setting).")
@click.option("--port", type=int, default=None, help="Port (default: review_port setting).")
def review_command(host: str | None, port: int | None) -> None:
    """Run the moderators' review desk web app."""
    import uvicorn

    from bot.review.app import create_app

    settings = get_settings()
    secret_key = _secret(settings.review_secret_key)
    if not secret_key:
        secret_key = secrets.token_urlsafe(32)
        click.echo(
            "NEGOBOT_REVIEW_SECRET_KEY is not set: using a random key, so logins end on restart.",
            err=True,
        )
    try:
        app = create_app(
            settings.database_url,
            secret_key=secret_key,
            secure_cookies=settings.review_secure_cookies,
        )
    except Exception as error:  # a bad URL or an unreachable database: one line, no traceback
        raise click.ClickException(f"cannot open the log database: {error}") from error
    uvicorn.run(
        app,
        host=host or settings.review_host,
        port=port or settings.review_port,
        log_level=str(settings.log_level).lower(),
        proxy_headers=False,
    )


@click.group("moderator")
def moderator_group() -> None:
    """Manage review desk moderator accounts."""


@moderator_group.command("add")
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from one line of standard input."
)
def add_moderator_command(name: str, password_stdin: bool) -> None:
    """Create a moderator account NAME (the password is asked for, or read from stdin)."""
    try:
        cleaned = auth.check_moderator_name(name)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password for {cleaned}", hide_input=True, confirmation_prompt=True
        )
    settings = get_settings()
    engine = _open(settings.database_url)
    try:
        with Session(engine) as session:
            auth.add_moderator(session=session, name=cleaned, password=password)
            session.commit()
    except (ValueError, crud.ModeratorExistsError) as error:
        raise click.ClickException(str(error)) from error
    finally:
        engine.dispose()
    click.echo(f"moderator {cleaned} added")


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
