"""Reading tracks back: a track's reports and dates, an article's track, a track named in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from index.parties import default_gazetteer
from index.store import ArticleEntry, IndexSnapshot
from index.tracking import tracks_of, with_tracks
from index.tracks import Track, article_words


@dataclass(frozen=True)
class TrackView:
    """A track with its reports, newest first."""

    track: Track
    reports: list[ArticleEntry]

    @property
    def id(self) -> str:
        return self.track.id

    @property
    def newest(self) -> date:
        return date.fromisoformat(self.reports[0].published)

    @property
    def oldest(self) -> date:
        return date.fromisoformat(self.reports[-1].published)

    @property
    def article_keys(self) -> frozenset[str]:
        return frozenset(entry.key for entry in self.reports)

    def name(self, language: str = "en") -> str:
        return self.track.name(language)


class TrackCatalog:
    """The tracks of one index generation, as the bot and its subscribers read them."""

    def __init__(self, snapshot: IndexSnapshot) -> None:
        tracks = tracks_of(snapshot.manifest)
        articles = snapshot.articles
        if not tracks and articles:
            # An index from before tracks: find them in memory until an ingest records them.
            articles = {key: _copy(entry) for key, entry in articles.items()}
            tracks = with_tracks(articles, snapshot.chunks, snapshot.vectors, [], None)
        views = []
        for track in tracks:
            reports = [articles[key] for key in track.articles if key in articles]
            if reports:
                reports.sort(key=lambda entry: (entry.published, entry.key), reverse=True)
                views.append(TrackView(track, reports))
        # The track with the newest report first; ids keep the order stable among equals.
        self._views = sorted(views, key=lambda view: (-view.newest.toordinal(), view.id))
        self._by_id = {view.id: view for view in self._views}
        self._track_of = {entry.key: view.id for view in self._views for entry in view.reports}
        # The parties each report names, in or out of a track: which parties the library
        # reports on together (bot/answers/party_pairs.py).
        self.reported_parties = tuple(
            frozenset(entry.parties) for entry in snapshot.articles.values() if entry.parties
        )
        # Every party any report names, formed once here rather than for every question.
        self.every_reported_party: frozenset[str] = frozenset().union(*self.reported_parties)

    def tracks(self) -> list[TrackView]:
        """Return every track, the one with the newest report first."""
        return list(self._views)

    def get(self, track_id: str) -> TrackView | None:
        """Return the track with this id, or None."""
        return self._by_id.get(track_id)

    def track_of(self, article_key: str) -> str | None:
        """Return the id of the track an article is in, or None for an unknown article."""
        return self._track_of.get(article_key)

    def find(self, words: str) -> TrackView | None:
        """Return the track `words` name best (its id, name, parties or title words), or None.

        None too when two tracks are named equally well ("the ceasefire" in a library of several).
        """
        wanted = words.strip().casefold()
        if not wanted:
            return None
        if wanted in self._by_id:
            return self._by_id[wanted]
        named = default_gazetteer().count(words)
        asked = set(article_words(words))
        scored: list[tuple[float, TrackView]] = []
        for view in self._views:
            names = {view.name(language).casefold() for language in ("en", "uk", "ru")}
            score = 3.0 * (wanted in names or wanted == view.id.replace("-", " "))
            score += 2.0 * sum(1 for party in view.track.parties if named.get(party))
            titles = set().union(*(article_words(entry.title) for entry in view.reports))
            score += len(asked & titles) / max(1, len(asked))
            if score > 0:
                scored.append((score, view))
        scored.sort(key=lambda pair: -pair[0])
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        return scored[0][1]


def _copy(entry: ArticleEntry) -> ArticleEntry:
    return ArticleEntry(
        **{**entry.__dict__, "rows": list(entry.rows), "parties": dict(entry.parties)}
    )
