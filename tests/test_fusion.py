"""Reciprocal rank fusion, checked against a brute-force sum over every ranking and position."""

from __future__ import annotations

import random
from collections.abc import Hashable
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from bot.answers.reranking import fused
from index.documents import Chunk, SearchHit
from index.fusion import ranks, reciprocal_rank_scores
from index.search import Searcher
from index.tuning import SEARCH_TUNING
from tests.support.embedders import FakeEmbedder

Item = TypeVar("Item", bound=Hashable)


def brute_force(rankings: list[list[Item]], k: int) -> dict[Item, float]:
    """Each item's 1 / (k + position) summed over the lists it appears in, position from 1."""
    items = {item for ranking in rankings for item in ranking}
    return {
        item: sum(1.0 / (k + ranking.index(item) + 1) for ranking in rankings if item in ranking)
        for item in items
    }


def random_rankings(seed: int) -> list[list[str]]:
    chooser = random.Random(seed)
    pool = [f"item{n}" for n in range(40)]
    return [chooser.sample(pool, chooser.randint(0, 25)) for _ in range(chooser.randint(1, 4))]


@pytest.mark.parametrize("seed", range(25))
def test_scores_match_a_brute_force_sum(seed: int) -> None:
    rankings = random_rankings(seed)
    expected = brute_force(rankings, SEARCH_TUNING.rrf_k)
    scores = reciprocal_rank_scores([ranks(ranking) for ranking in rankings])
    assert scores.keys() == expected.keys()
    assert scores == pytest.approx(expected, rel=1e-12)


def test_k_defaults_to_the_tuned_constant_and_can_be_given() -> None:
    rankings = [["a", "b"], ["b", "c"]]
    votes = [ranks(ranking) for ranking in rankings]
    assert reciprocal_rank_scores(votes) == pytest.approx(
        brute_force(rankings, SEARCH_TUNING.rrf_k)
    )
    assert reciprocal_rank_scores(votes, k=1) == pytest.approx(
        {"a": 0.5, "b": 1 / 3 + 1 / 2, "c": 1 / 3}
    )


def test_items_come_in_the_order_first_met() -> None:
    scores = reciprocal_rank_scores([ranks(["c", "a"]), ranks(["b", "a", "d"])])
    assert list(scores) == ["c", "a", "b", "d"]


def test_a_repeated_item_keeps_its_first_place() -> None:
    assert ranks(["x", "y", "x", "z"]) == {"x": 1, "y": 2, "z": 4}


def test_no_rankings_give_no_scores() -> None:
    assert reciprocal_rank_scores([]) == {}
    assert reciprocal_rank_scores([ranks([])]) == {}


def _hit(article: str, position: int = 0) -> SearchHit:
    chunk = Chunk(article, position, "text", "title", date(2025, 5, 16), "src", "u", "en")
    return SearchHit(chunk=chunk, score=0.0)


@pytest.mark.parametrize("seed", range(10))
def test_reranking_orders_hits_by_the_brute_force_scores(seed: int) -> None:
    rankings = random_rankings(seed)
    hits = {name: _hit(name) for ranking in rankings for name in ranking}
    merged = fused(*[[hits[name] for name in ranking] for ranking in rankings])
    expected = brute_force(
        [[f"{n}#0" for n in ranking] for ranking in rankings], SEARCH_TUNING.rrf_k
    )
    assert len(merged) == len(hits)
    scores = [expected[hit.chunk.chunk_id] for hit in merged]
    assert scores == sorted(scores, reverse=True)


def test_searcher_fuse_scores_are_the_brute_force_sums(
    index_dir: Path, fake_embedder: FakeEmbedder
) -> None:
    searcher = Searcher.open(index_dir, fake_embedder)
    rows = len(searcher.snapshot.chunks)
    assert rows >= 6, "the sample library has enough passages for two rankings"
    dense = [(row, 0.5) for row in (3, 0, 5, 1)]
    keyword = [(row, 2.0) for row in (1, 4, 3)]
    hits = searcher.fuse(np.zeros(fake_embedder.dimension, dtype=np.float32), dense, keyword, 10)
    expected = brute_force([[3, 0, 5, 1], [1, 4, 3]], SEARCH_TUNING.rrf_k)
    assert sorted(hit.row or 0 for hit in hits) == sorted(expected)
    for hit in hits:
        assert hit.row is not None
        assert hit.score == pytest.approx(expected[hit.row])
