"""Queue alerts after an ingest: one per follower chat per track that received reports."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.alerts.compose import drafts_for
from bot.alerts.database import AlertDatabase
from bot.config import Settings
from bot.logstore.crud.digests import digest_takers
from bot.logstore.crud.outbox import queue_batch
from bot.logstore.crud.subscriptions import followers
from bot.logstore.database import sqlite_path
from index.ingest import IngestReport
from index.store import IndexStoreError, load_snapshot

log = logging.getLogger(__name__)


@dataclass
class QueuedAlerts:
    """What queueing did: alerts per track, and why none could be queued, if so."""

    per_track: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def total(self) -> int:
        return sum(self.per_track.values())

    def summary(self) -> str:
        if self.error:
            return f"alerts not queued: {self.error}"
        tracks = ", ".join(f"{track} {count}" for track, count in self.per_track.items())
        return f"alerts queued: {self.total}" + (f" ({tracks})" if tracks else "")


def queue_ingest_alerts(
    settings: Settings, report: IngestReport, database: AlertDatabase | None = None
) -> QueuedAlerts:
    """Queue the alerts for what `report` added; never raises (the ingest itself succeeded)."""
    queued = QueuedAlerts()
    if not report.tracks_added:
        return queued
    database_file = sqlite_path(settings.database_url)
    if database_file is not None and not database_file.exists():
        return queued  # no bot ever ran on this database: nobody follows anything
    owned = database is None
    database = database or AlertDatabase(settings.database_url)
    try:
        snapshot = load_snapshot(settings.index_dir)
        if snapshot is None:
            return queued
        with database.session() as session:
            for draft in drafts_for(snapshot, report.tracks_added):
                chats = followers(session=session, track_id=draft.track.id)
                if not chats:
                    continue
                texts = {language: draft.render(language) for language in set(chats.values())}
                # A chat taking the daily digest reads this batch there, not now.
                held = digest_takers(session=session, chat_ids=chats)
                queued.per_track[draft.track.id] = queue_batch(
                    session=session,
                    track_id=draft.track.id,
                    reports_key=draft.reports_key,
                    as_of=draft.as_of,
                    texts=texts,
                    chats={chat: lang for chat, lang in chats.items() if chat not in held},
                    report_keys=[entry.key for entry in draft.reports],
                )
    except IndexStoreError as error:
        queued.error = f"the new index cannot be read: {error}"
    except Exception as error:  # a database outage must not fail an ingest that succeeded
        queued.error = f"{type(error).__name__}: {error}"
        log.warning("alerts not queued", exc_info=True)
    finally:
        if owned:
            database.close()
    if queued.per_track or queued.error:
        log.info("%s", queued.summary())
    return queued
