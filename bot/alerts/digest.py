"""The daily digest: one message per chat with what is new on each followed track since the last.

A digest is the alerts the chat would have had, written as one: the batches an ingest queued
since the chat's last digest, their reports merged per track and composed by the alert
composer. It is queued in the alert outbox and sent like an alert.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path

from bot import i18n
from bot.alerts.compose import AlertDraft, drafts_for
from bot.alerts.database import AlertDatabase
from bot.logstore.alert_models import AlertBatch
from bot.logstore.crud import digests
from bot.telegram.messages import MESSAGE_LIMIT, utf16_length
from index.store import IndexSnapshot, load_snapshot

log = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]?\d|2[0-3])(?::([0-5]\d))?$")


def minute_of_day(value: str) -> int | None:
    """Read "8", "08:30" or "23:05" as minutes after midnight; None if it is not a time."""
    match = _TIME.match(value.strip())
    if match is None:
        return None
    return int(match.group(1)) * 60 + int(match.group(2) or 0)


def clock_time(minute: int) -> str:
    """Write minutes after midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class DigestDraft:
    """A chat's news of one day: one alert draft per track, the newest news first."""

    day: date
    tracks: list[AlertDraft]

    def render(self, language: str, limit: int = MESSAGE_LIMIT) -> str:
        """Write the digest as Telegram HTML: a heading, then each track's alert until full."""
        heading = i18n.text(language, "digest_heading", date=i18n.format_date(self.day, language))
        parts = [f"<b>{escape(heading, quote=False)}</b>"]
        shown = self.shown(language, limit)
        parts.extend(draft.render(language) for draft in shown)
        rest = [draft.track.id for draft in self.tracks[len(shown) :]]
        if rest:
            parts.append(escape(_more(language, rest), quote=False))
        return "\n\n".join(parts)

    def shown(self, language: str, limit: int = MESSAGE_LIMIT) -> list[AlertDraft]:
        """Return the tracks that fit in one message (always the first)."""
        heading = i18n.text(language, "digest_heading", date=i18n.format_date(self.day, language))
        used = utf16_length(heading) + 7
        shown: list[AlertDraft] = []
        for number, draft in enumerate(self.tracks):
            size = utf16_length(draft.render(language)) + 2
            rest = [other.track.id for other in self.tracks[number + 1 :]]
            more = utf16_length(_more(language, rest)) + 2 if rest else 0
            if shown and used + size + more > limit:
                break
            shown.append(draft)
            used += size
        return shown

    def buttons(self, language: str) -> list[list[str]]:
        """Return an "ask what's new" button per track shown: [[label, track id], ...]."""
        return [
            [i18n.text(language, "digest_button", track=draft.track.name(language)), draft.track.id]
            for draft in self.shown(language)
        ]


def _more(language: str, track_ids: list[str]) -> str:
    return i18n.text(language, "digest_more", ids=", ".join(track_ids))


def compose_digest(
    snapshot: IndexSnapshot, batches: list[AlertBatch], day: date
) -> DigestDraft | None:
    """Merge the batches' reports per track into one digest; None when nothing is new."""
    per_track: dict[str, list[str]] = {}
    for batch in batches:
        keys = per_track.setdefault(batch.track_id, [])
        keys.extend(key for key in batch.report_keys or [] if key not in keys)
    drafts = drafts_for(snapshot, {track: keys for track, keys in per_track.items() if keys})
    if not drafts:
        return None
    drafts.sort(key=lambda draft: (draft.as_of, draft.track.id), reverse=True)
    return DigestDraft(day, drafts)


def queue_due_digests(
    database: AlertDatabase, index_dir: Path, now: datetime, *, every: bool = False
) -> int:
    """Queue the digests due at `now` (UTC) in the alert outbox; return how many were queued.

    A chat whose digest has nothing new gets no message; its day is marked done all the same.
    `every` queues every chat's digest now, still at most one per chat and day.
    """
    with database.session() as session:
        due = digests.due_digests(session=session, now=now, every=every)
        if not due:
            return 0
        snapshot = load_snapshot(index_dir)
        if snapshot is None:
            return 0
        queued = 0
        for chat in due:
            news, newest = digests.news_for(session=session, digest=chat)
            draft = compose_digest(snapshot, news, now.date())
            queued += digests.record_digest(
                session=session,
                chat_id=chat.chat_id,
                day=now.date(),
                covered_batch_id=newest,
                language=chat.language,
                text=draft.render(chat.language) if draft else None,
                buttons=draft.buttons(chat.language) if draft else None,
            )
    if queued:
        log.info("digests queued: %d of %d due", queued, len(due))
    return queued
