"""`negobot digests`: queue the daily digests that are due, for a running bot to send."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from bot.config import Settings


@click.command("digests")
@click.option(
    "--now",
    "every",
    is_flag=True,
    help="Every chat with the digest on, whatever its time (still one digest a day at most).",
)
@click.pass_obj
def digests_command(settings: Settings, every: bool) -> None:
    """Queue the daily digests due now in the alert outbox (a running bot sends them)."""
    from bot.alerts.database import AlertDatabase
    from bot.alerts.digest import queue_due_digests
    from bot.logstore.database import sqlite_path

    database_file = sqlite_path(settings.database_url)
    if database_file is not None and not database_file.exists():
        click.echo("digests queued: 0 (no bot ever ran on this database)")
        return
    database = AlertDatabase(settings.database_url)
    try:
        queued = queue_due_digests(database, settings.index_dir, datetime.now(UTC), every=every)
    finally:
        database.close()
    click.echo(f"digests queued: {queued}")
