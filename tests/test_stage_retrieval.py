"""The retrieval stage: ranked passages, the month a question names, the latest reporting first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.answers.query import make_query
from bot.answers.retrieval import retrieve
from bot.answers.tuning import ANSWER_TUNING
from index.documents import SearchHit
from index.search import Searcher
from tests.support.library import LIBRARY, library_searcher


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    return library_searcher(tmp_path)


def test_retrieval_ranks_passages_and_describes_them_for_the_log(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "Who headed the Russian delegation in Istanbul?")
    found = retrieve(searcher, query)
    assert found.hits and found.passages == found.hits
    assert found.hits[0].chunk.article_id == "first-round"
    assert found.best_cosine == max(hit.dense_score or 0.0 for hit in found.hits)
    rows = found.rows()
    assert [row["fused_rank"] for row in rows] == list(range(1, len(found.hits) + 1))
    assert not any(row["quoted"] for row in rows)
    assert (found.oldest, found.newest) == (
        min(a.published for a in LIBRARY),
        max(a.published for a in LIBRARY),
    )
    assert found.period is None


def test_a_named_month_reaches_the_tunings_grace_days_into_the_next(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "How many bodies were returned in June 2025?")
    found = retrieve(searcher, query)
    grace = ANSWER_TUNING.period_grace_days
    assert found.period == (date(2025, 6, 1), date(2025, 6, 30) + timedelta(days=grace))
    strict = retrieve(searcher, query, replace(ANSWER_TUNING, period_grace_days=0))
    assert strict.period == (date(2025, 6, 1), date(2025, 6, 30))


def test_a_status_question_reads_the_latest_reporting_first(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "What is the latest on the peace plan?")
    found = retrieve(searcher, query)
    assert query.status
    newest = max(hit.chunk.published for hit in found.passages)
    assert found.passages[0].chunk.published == newest
    assert {hit.chunk.chunk_id for hit in found.passages} <= {h.chunk.chunk_id for h in found.hits}


def test_preferred_articles_rise_among_the_hits(searcher: Searcher) -> None:
    question = "Who headed the Russian delegation in Istanbul?"
    plain = retrieve(searcher, make_query(searcher.embedder, question))
    preferring = retrieve(searcher, make_query(searcher.embedder, question, prefer=["geneva"]))

    def rank(hits: list[SearchHit]) -> int:
        return [hit.chunk.article_id for hit in hits].index("geneva")

    assert rank(plain.hits) > 0, "the preferred article does not lead on its own"
    assert rank(preferring.hits) < rank(plain.hits)
