"""Reorder retrieved passages: by the month a question names, and by how recent they are."""

from __future__ import annotations

from datetime import date

import numpy as np

from bot.answers.sentences import freshness
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.documents import SearchHit
from index.fusion import ranks, reciprocal_rank_scores
from index.search import Searcher, SearchFilters


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
    by_id: dict[str, SearchHit] = {}
    for ranking in rankings:
        for hit in ranking:
            by_id.setdefault(hit.chunk.chunk_id, hit)
    votes = [ranks(hit.chunk.chunk_id for hit in ranking) for ranking in rankings]
    scores = reciprocal_rank_scores(votes)
    return [by_id[chunk_id] for chunk_id in sorted(scores, key=lambda c: -scores[c])]


def by_recency(
    hits: list[SearchHit], half_life_days: int = ANSWER_TUNING.freshness_half_life_days
) -> list[SearchHit]:
    """Order hits by score boosted by freshness relative to the newest of them."""
    newest = max(hit.chunk.published for hit in hits)

    def boosted(hit: SearchHit) -> float:
        return hit.score * (1 + freshness(hit.chunk.published, newest, half_life_days))

    return sorted(hits, key=lambda hit: -boosted(hit))


def latest_reporting(
    hits: list[SearchHit], anchor: date, tuning: AnswerTuning = ANSWER_TUNING
) -> list[SearchHit]:
    """Order hits by recency and keep those of the tuning's `recent_days` up to `anchor`, if any.

    The question is on topic (it passed the threshold), so "what's the latest" is answered from
    the latest reporting on it alone: older articles, however close in wording (or in language),
    describe a past state of the talks.
    """
    hits = by_recency(hits, tuning.freshness_half_life_days)
    current = [h for h in hits if 0 <= (anchor - h.chunk.published).days <= tuning.recent_days]
    return current or hits
