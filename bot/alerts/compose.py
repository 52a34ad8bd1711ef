"""What an alert says: the newest reports an ingest added to a track, cited, "as of" a date."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from html import escape

from bot import i18n
from bot.answers.answer_types import Citation
from bot.answers.tuning import ALERT_TUNING, AlertTuning
from bot.telegram.messages import format_citation
from index.chunking import split_sentences
from index.store import ArticleEntry, IndexSnapshot
from index.track_catalog import TrackCatalog, TrackView


@dataclass(frozen=True)
class AlertDraft:
    """New reports on one track, ready to be written in any language."""

    track: TrackView
    reports: list[ArticleEntry]  # the ones added, newest first
    leads: dict[str, str]  # article key -> the sentence quoted from it
    tuning: AlertTuning = ALERT_TUNING

    @property
    def reports_key(self) -> str:
        """Identify this set of reports: the same reports make the same key."""
        keys = "\n".join(sorted(entry.key for entry in self.reports))
        return hashlib.sha256(f"{self.track.id}\n{keys}".encode()).hexdigest()

    @property
    def as_of(self) -> date:
        return date.fromisoformat(self.reports[0].published)

    def render(self, language: str) -> str:
        """Write the alert as Telegram HTML: heading, one sentence per report cited, sources."""
        shown = self.reports[: self.tuning.reports_shown]
        heading = i18n.text(
            language,
            "alert_heading",
            track=self.track.name(language),
            date=i18n.format_date(self.as_of, language),
        )
        sentences = " ".join(
            f"{escape(self.leads[entry.key], quote=False)} [{number}]"
            for number, entry in enumerate(shown, start=1)
        )
        lines = [f"<b>{escape(heading, quote=False)}</b>", sentences]
        more = len(self.reports) - len(shown)
        if more > 0:
            lines.append(escape(i18n.text(language, "alert_more", more=more, id=self.track.id)))
        sources = [
            format_citation(_citation(number, entry)) for number, entry in enumerate(shown, 1)
        ]
        heading_sources = "<b>" + escape(i18n.text(language, "sources"), quote=False) + "</b>"
        return "\n".join(lines) + "\n\n" + "\n".join([heading_sources, *sources])


def drafts_for(
    snapshot: IndexSnapshot, tracks_added: dict[str, list[str]], tuning: AlertTuning = ALERT_TUNING
) -> list[AlertDraft]:
    """Return one draft per track that received reports, from the generation that has them."""
    catalog = TrackCatalog(snapshot)
    drafts = []
    for track_id, keys in tracks_added.items():
        view = catalog.get(track_id)
        reports = [snapshot.articles[key] for key in keys if key in snapshot.articles]
        if view is None or not reports:
            continue
        reports.sort(key=lambda entry: (entry.published, entry.key), reverse=True)
        leads = {entry.key: _lead(snapshot, entry, tuning.sentence_chars) for entry in reports}
        drafts.append(AlertDraft(view, reports, leads, tuning))
    return drafts


def _lead(snapshot: IndexSnapshot, entry: ArticleEntry, limit: int) -> str:
    """Return the report's opening sentence (its title when the text has none), cut to `limit`."""
    first = min(entry.rows, default=None, key=lambda row: snapshot.chunks[row].position)
    sentences = split_sentences(snapshot.chunks[first].text) if first is not None else []
    title = entry.title.strip()
    lead = next((s for s in sentences if s.strip() and s.strip() != title), title)
    if len(lead) > limit:
        lead = lead[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return lead


def _citation(number: int, entry: ArticleEntry) -> Citation:
    return Citation(
        number=number,
        title=entry.title,
        source=entry.source,
        published=date.fromisoformat(entry.published),
        url=entry.url,
        score=1.0,
        text="",
        article_id=entry.key,
        chunk_id=f"{entry.key}#0",
    )
