"""Reorder retrieved passages: by the month a question names, and by how recent they are."""

from __future__ import annotations

from datetime import date

import numpy as np

from bot.recent_reporting import RECENT_DAYS
from bot.sentences import freshness
from index.documents import SearchHit
from index.search import RRF_K, Searcher, SearchFilters


def with_period(
    searcher: Searcher,
    question: str,
    query_vector: np.ndarray,
    hits: list[SearchHit],
    period: tuple[date, date],
    k: int,
) -> list[SearchHit]:
    """Favour reports published in the month the question names, without dropping the others.

    The two rankings are fused by reciprocal rank, so a passage that matches the words and the
    month beats one that matches only either.
    """
    first, last = period
    dated = searcher.search(
        question,
        k,
        filters=SearchFilters(published_from=first, published_to=last),
        query_vector=query_vector,
    )
    return fused(hits, dated)


def fused(*rankings: list[SearchHit]) -> list[SearchHit]:
    """Merge rankings of hits by reciprocal rank; a hit in several gains from each."""
    scores: dict[str, float] = {}
    by_id: dict[str, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            chunk_id = hit.chunk.chunk_id
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
            by_id.setdefault(chunk_id, hit)
    return [by_id[chunk_id] for chunk_id in sorted(scores, key=lambda c: -scores[c])]


def by_recency(hits: list[SearchHit]) -> list[SearchHit]:
    """Order hits by score boosted by freshness relative to the newest of them."""
    newest = max(hit.chunk.published for hit in hits)
    return sorted(hits, key=lambda hit: -(hit.score * (1 + freshness(hit.chunk.published, newest))))


def latest_reporting(hits: list[SearchHit], anchor: date) -> list[SearchHit]:
    """Order hits by recency and keep those of the RECENT_DAYS up to `anchor`, if there are any.

    The question is on topic (it passed the threshold), so "what's the latest" is answered from
    the latest reporting on it alone: older articles, however close in wording (or in language),
    describe a past state of the talks.
    """
    hits = by_recency(hits)
    current = [h for h in hits if 0 <= (anchor - h.chunk.published).days <= RECENT_DAYS]
    return current or hits
