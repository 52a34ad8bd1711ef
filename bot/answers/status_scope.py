"""Which negotiation track a question about the current state is about."""

from __future__ import annotations

from index.documents import SearchHit
from index.search import Searcher
from index.track_catalog import TrackView


class UnknownTrack(LookupError):
    """The asker named a track the library does not hold; the message names what was asked."""


def status_track(
    searcher: Searcher, question: str, hits: list[SearchHit], requested: str | None = None
) -> TrackView | None:
    """Return the track a status question is about, or None when the library holds only one.

    A track asked for by id or name wins; else the track the question names (its parties or its
    reports' title words), else the track of the best passage found for the question.
    """
    catalog = searcher.tracks
    if requested:
        view = catalog.get(requested) or catalog.find(requested)
        if view is None:
            raise UnknownTrack(requested)
        return view
    views = catalog.tracks()
    if len(views) <= 1:
        # One negotiation: its reports are the whole library, so no narrowing is needed.
        return None
    named = catalog.find(question)
    if named is not None:
        return named
    for hit in hits:
        track_id = catalog.track_of(hit.chunk.article_id)
        if track_id is not None:
            return catalog.get(track_id)
    return None
