"""Tracks at ingest: gather each article's signals from the new generation and assign tracks."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from index.documents import Chunk
from index.parties import default_gazetteer
from index.store import ArticleEntry
from index.tracks import ArticleSignals, Track, TrackOverrides, assign_tracks


def tracks_of(manifest: dict[str, Any]) -> list[Track]:
    """Return the tracks a generation's manifest records (none for an index from before tracks)."""
    return [Track.from_json(entry) for entry in manifest.get("tracks", [])]


def overrides_json(overrides: TrackOverrides | None) -> dict[str, Any]:
    """Return the overrides as the manifest records them, to notice when a deployer changes them."""
    overrides = overrides or TrackOverrides()
    return {
        "names": {key: dict(value) for key, value in sorted(overrides.names.items())},
        "merge": dict(sorted(overrides.merge.items())),
    }


def with_tracks(
    articles: dict[str, ArticleEntry],
    chunks: list[Chunk],
    vectors: np.ndarray,
    previous: list[Track],
    overrides: TrackOverrides | None,
) -> list[Track]:
    """Assign every article a track (recording it on the entry) and return the tracks.

    An article's vector is the mean of its passages' vectors; an entry written before parties
    were counted has them counted from its passages.
    """
    texts: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks:
        texts[chunk.article_id].append(chunk.text)
    signals = {}
    for key, entry in articles.items():
        if not entry.parties and key in texts:
            entry.parties = dict(default_gazetteer().count(" ".join([entry.title, *texts[key]])))
        rows = np.asarray(vectors[entry.rows], dtype=np.float64) if entry.rows else None
        vector = rows.mean(axis=0) if rows is not None else np.zeros(vectors.shape[1])
        signals[key] = ArticleSignals(key, entry.published, vector, entry.parties, entry.title)
    tracks = assign_tracks(previous, signals, overrides)
    for track in tracks:
        for key in track.articles:
            articles[key].track = track.id
    return tracks
