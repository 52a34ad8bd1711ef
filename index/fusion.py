"""Reciprocal rank fusion: an item scores the sum of 1 / (k + rank) over the rankings naming it."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from index.tuning import SEARCH_TUNING

Item = TypeVar("Item", bound=Hashable)


def ranks(ranking: Iterable[Item]) -> dict[Item, int]:
    """Number a ranking from 1, best first; an item listed twice keeps its first place."""
    numbered: dict[Item, int] = {}
    for rank, item in enumerate(ranking, start=1):
        numbered.setdefault(item, rank)
    return numbered


def reciprocal_rank_scores(
    rankings: Sequence[Mapping[Item, int]], k: int | None = None
) -> dict[Item, float]:
    """Return each item's summed 1 / (k + rank) over the rankings (item -> rank from 1) naming it.

    Items appear in the order first met, ranking by ranking, so a stable sort of the scores keeps
    that order among equals. `k` is SEARCH_TUNING.rrf_k unless given.
    """
    constant = SEARCH_TUNING.rrf_k if k is None else k
    scores: dict[Item, float] = {}
    for ranking in rankings:
        for item, rank in ranking.items():
            scores[item] = scores.get(item, 0.0) + 1.0 / (constant + rank)
    return scores
