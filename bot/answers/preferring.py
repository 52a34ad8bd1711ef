"""Favour the articles a conversation already cited when answering its follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from bot.answers.reranking import fused
from index.documents import SearchHit
from index.embedders.base import Embedder
from index.search import Searcher, SearchFilters

# How much a follow-up's own words weigh against the resolved query when picking its sentences.
FOCUS_WEIGHT = 0.85


def with_preferred(
    searcher: Searcher,
    question: str,
    query_vector: np.ndarray,
    hits: list[SearchHit],
    prefer: Sequence[str],
    k: int,
    *,
    later_after_days: int | None = None,
) -> list[SearchHit]:
    """Fuse the best passages of the preferred articles into the hits, by reciprocal rank.

    A passage of an article already cited gains from both rankings, so it leads when it also
    matches the question; the other articles stay in, for follow-ups that move on. With
    `later_after_days`, the best passages of the reports published that many days or more after
    the preferred articles join too: "and when did the exchanges start after that?" asks of what
    the next reports tell.
    """
    if not prefer:
        return hits
    preferred = searcher.search(
        question, k, filters=SearchFilters(articles=frozenset(prefer)), query_vector=query_vector
    )
    if not preferred:
        return hits
    if later_after_days is None:
        return fused(preferred, hits)
    since = max(hit.chunk.published for hit in preferred) + timedelta(days=later_after_days)
    later = searcher.search(
        question, k, filters=SearchFilters(published_from=since), query_vector=query_vector
    )
    return fused(later, preferred, hits) if later else fused(preferred, hits)


def focused(embedder: Embedder, focus: str | None, query_vector: np.ndarray) -> np.ndarray:
    """Return the vector sentences are picked by: a follow-up's own words, leaning on the subject.

    The resolved query finds the subject's passages; among them, the sentence that answers
    "and the bodies?" is the one closest to those words, not to the subject's question again.
    """
    if not focus:
        return query_vector
    own = embedder.encode([focus], kind="query")[0]
    blended = FOCUS_WEIGHT * own + (1 - FOCUS_WEIGHT) * query_vector
    return blended / max(float(np.linalg.norm(blended)), 1e-12)
