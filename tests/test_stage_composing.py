"""The composing stage: the sentences an answer quotes, led by the reader's finding if any."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.composing import Composition, compose
from bot.answers.query import Query, make_query
from bot.answers.reading import Reading, read_hits
from bot.answers.retrieval import Retrieval, retrieve
from bot.answers.sentences import SentencePicker
from index.search import Searcher
from tests.support.library import library_searcher
from tests.support.readers import PhraseReader


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    return library_searcher(tmp_path)


def _composed(
    searcher: Searcher, query: Query, reading: Reading | None = None, **sizes: int
) -> tuple[Retrieval, Composition]:
    found = retrieve(searcher, query)
    options = {"passages": 5, "count": 3, "support": 1} | sizes
    picker = SentencePicker(searcher.embedder)
    return found, compose(
        picker, query, found, reading, stored=searcher.stored_sentence_vectors, **options
    )


def test_the_picker_chooses_up_to_count_sentences_of_the_top_passages(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "Who headed the Russian delegation in Istanbul?")
    found, composition = _composed(searcher, query, count=2, passages=2)
    assert 0 < len(composition.sentences) <= 2
    top = {hit.chunk.chunk_id for hit in found.passages[:2]}
    assert all(c.chunk.chunk_id in top for c in composition.sentences)
    assert composition.finding is None and composition.mode == "extractive"


def test_the_readers_finding_leads_followed_by_support_sentences(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "Who headed the Russian delegation in Istanbul?")
    reading = read_hits(
        PhraseReader(["Vladimir Medinsky"]), query.text, searcher.search(query.text, 5)
    )
    _, composition = _composed(searcher, query, reading, support=1)
    lead = composition.sentences[0]
    assert lead.text == reading.findings[0].sentence
    assert len(composition.sentences) == 2 and composition.mode == "reader"
    assert composition.sentences[1].text != lead.text


def test_a_status_answer_gives_the_newest_first_and_dates_the_rest(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "What is the latest on the talks?")
    _, composition = _composed(searcher, query, count=4)
    days = [c.chunk.published for c in composition.sentences]
    assert days == sorted(days, reverse=True)
    older = [c for c in composition.sentences if c.chunk.published < days[0]]
    assert all(c.note.startswith("reported ") for c in older)
