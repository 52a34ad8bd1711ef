"""Favour the articles a conversation already cited when answering its follow-ups."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.reranking import fused
from index.documents import SearchHit
from index.search import Searcher, SearchFilters


def with_preferred(
    searcher: Searcher,
    question: str,
    query_vector: np.ndarray,
    hits: list[SearchHit],
    prefer: Sequence[str],
    k: int,
) -> list[SearchHit]:
    """Fuse the best passages of the preferred articles into the hits, by reciprocal rank.

    A passage of an article already cited gains from both rankings, so it leads when it also
    matches the question; the other articles stay in, for follow-ups that move on.
    """
    if not prefer:
        return hits
    preferred = searcher.search(
        question, k, filters=SearchFilters(articles=frozenset(prefer)), query_vector=query_vector
    )
    return fused(preferred, hits) if preferred else hits
