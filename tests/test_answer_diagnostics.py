"""What an answer records for moderators: passage ranks, what it quoted, why it declined."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from bot.answers.answer_types import Citation
from bot.answers.answerer import Answerer
from bot.answers.generative import NO_ANSWER
from index.documents import Article
from index.ingest import ingest_articles
from index.search import Searcher
from tests.support.embedders import FakeEmbedder

LIBRARY = [
    Article(
        title="First Istanbul round",
        text="Delegations from Ukraine and Russia met in Istanbul on 16 May. "
        "The Russian delegation was headed by Vladimir Medinsky. "
        "The sides agreed to exchange 1,000 prisoners each.",
        published=date(2025, 5, 16),
        source="Reuters",
        url="https://example.org/first-round",
        language="en",
        id="first-round",
    ),
    Article(
        title="Bodies to be returned",
        text="Russia said it would return the bodies of 6,000 soldiers killed in the war. "
        "No timeline for the return of bodies was given at the talks.",
        published=date(2025, 6, 2),
        source="AP",
        url="https://example.org/bodies",
        language="en",
        id="bodies",
    ),
]


class DecliningReader:
    """A generator that reads the passages and finds no answer in them."""

    def write(self, question: str, language: str, passages: Sequence[Citation]) -> str | None:
        return NO_ANSWER


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    embedder = FakeEmbedder()
    ingest_articles(LIBRARY, index_dir=tmp_path / "index", embedder=embedder)
    return Searcher.open(tmp_path / "index", embedder)


def test_retrieved_passages_carry_their_ranks_and_whether_they_were_quoted(
    searcher: Searcher,
) -> None:
    answer = Answerer(lambda: searcher, searcher.embedder).answer(
        "Who headed the Russian delegation in Istanbul?"
    )
    assert not answer.abstained and answer.abstain_reason is None
    rows = answer.retrieved
    assert [row["fused_rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert all(row["dense_rank"] is None or int(row["dense_rank"]) >= 1 for row in rows)
    assert rows[0]["chunk_id"] == "first-round#0"
    assert (rows[0]["dense_rank"], rows[0]["keyword_rank"]) == (1, 1)
    quoted = {row["chunk_id"] for row in rows if row["quoted"]}
    assert "first-round#0" in quoted
    # Every quoted passage belongs to an article the answer cites, and the other way round.
    assert {chunk.split("#")[0] for chunk in quoted} == {s.article_id for s in answer.sources}
    assert re.search(r"Medinsky.*\[1\]", answer.text)


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("Good banana bread recipe?", "below_threshold"),
        ("What did the delegations agree in Istanbul in March 2019?", "outside_dates"),
    ],
)
def test_a_declined_answer_says_why(searcher: Searcher, question: str, reason: str) -> None:
    answer = Answerer(lambda: searcher, searcher.embedder).answer(question)
    assert answer.abstained
    assert answer.abstain_reason == reason
    assert not any(row["quoted"] for row in answer.retrieved)


def test_a_reader_that_finds_no_answer_is_the_recorded_reason(searcher: Searcher) -> None:
    answerer = Answerer(lambda: searcher, searcher.embedder, generator=DecliningReader())
    answer = answerer.answer("Who headed the Russian delegation in Istanbul?")
    assert answer.abstained
    assert answer.abstain_reason == "no_answer_found"
    assert not any(row["quoted"] for row in answer.retrieved)


def test_a_question_the_scope_guard_turns_away_records_off_topic(searcher: Searcher) -> None:
    # Every passage clears the cosine threshold, and no margin reaches the scope minimum.
    answerer = Answerer(lambda: searcher, searcher.embedder, threshold=-1.0, scope_margin=100.0)
    answer = answerer.answer("Who headed the Russian delegation in Istanbul?")
    assert answer.abstained
    assert answer.abstain_reason == "off_topic"
    assert answer.retrieved
    assert not any(row["quoted"] for row in answer.retrieved)
