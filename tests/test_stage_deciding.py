"""The deciding stage: whether the library covers a question, and whether reading answered it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import i18n
from bot.answers.deciding import CoverageJudge, decide, declined, no_answer_text
from bot.answers.query import make_query
from bot.answers.reading import Reading
from bot.answers.retrieval import retrieve
from index.search import Searcher
from tests.support.library import library_searcher

QUESTION = "Who headed the Russian delegation in Istanbul?"


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    return library_searcher(tmp_path)


def test_a_question_above_the_threshold_is_covered(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, QUESTION)
    found = retrieve(searcher, query)
    coverage = CoverageJudge(searcher.embedder, threshold=-1.0).judge(query, found)
    assert coverage.covered and coverage.best_cosine == found.best_cosine
    assert decide(query, found, coverage, None) is None


def test_below_the_threshold_declines_with_the_no_answer_text(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, QUESTION)
    found = retrieve(searcher, query)
    coverage = CoverageJudge(searcher.embedder, threshold=found.best_cosine + 0.01).judge(
        query, found
    )
    assert coverage.reason == "below_threshold"
    decline = decide(query, found, coverage, None)
    assert decline is not None and decline.reason == "below_threshold"
    assert decline.text == no_answer_text("en")
    answer = declined(query, decline, found, coverage)
    assert answer.abstained and answer.abstain_reason == "below_threshold"
    assert answer.retrieved == found.rows() and not answer.sources


def test_a_year_outside_the_library_declines_naming_its_dates(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "Who headed the Russian delegation in 2019?")
    found = retrieve(searcher, query)
    coverage = CoverageJudge(searcher.embedder, threshold=-1.0).judge(query, found)
    decline = decide(query, found, coverage, None)
    assert decline is not None and decline.reason == "outside_dates"
    assert found.oldest is not None and found.newest is not None
    assert i18n.format_date(found.oldest, "en") in decline.text
    assert i18n.format_date(found.newest, "en") in decline.text


def test_a_named_track_is_always_covered(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "What's the latest?", track="t")
    found = retrieve(searcher, make_query(searcher.embedder, "What's the latest?"))
    coverage = CoverageJudge(searcher.embedder, threshold=2.0).judge(query, found)
    assert coverage.covered


def test_a_reading_without_findings_declines_naming_the_closest_report(
    searcher: Searcher,
) -> None:
    query = make_query(searcher.embedder, QUESTION)
    found = retrieve(searcher, query)
    coverage = CoverageJudge(searcher.embedder, threshold=-1.0).judge(query, found)
    decline = decide(query, found, coverage, Reading([], -3.0))
    assert decline is not None and decline.reason == "no_answer_found"
    assert f"“{found.passages[0].chunk.title}”" in decline.text
