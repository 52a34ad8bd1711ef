"""The citing stage: sources numbered by first use, markers, "as of" for status answers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot import i18n
from bot.answers.citing import answered, cite, cited_lines, render_plain
from bot.answers.composing import Composition
from bot.answers.deciding import Coverage
from bot.answers.query import make_query
from bot.answers.retrieval import retrieve
from bot.answers.sentences import Candidate
from index.search import Searcher
from tests.support.library import library_searcher


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    return library_searcher(tmp_path)


def test_sources_are_numbered_in_the_order_they_are_first_quoted(searcher: Searcher) -> None:
    hits = searcher.search("bodies returned delegation", 8)
    by_article = {hit.chunk.article_id: hit.chunk for hit in hits}
    first, second = list(by_article.values())[:2]
    chosen = [
        Candidate("A.", first, 1.0),
        Candidate("B.", second, 0.9, note="x"),
        Candidate("C.", first, 0.8),
    ]
    lines, sources = cited_lines(chosen, hits)
    assert lines == ["A. [1]", "B. (x) [2]", "C. [1]"]
    assert [s.article_id for s in sources] == [first.article_id, second.article_id]
    best = max(h.dense_score or 0.0 for h in hits if h.chunk.article_id == first.article_id)
    assert sources[0].score == best


def test_an_answer_quotes_marks_and_cites(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "Who headed the Russian delegation in Istanbul?")
    found = retrieve(searcher, query)
    chosen = [
        Candidate(
            "The Russian delegation was headed by Vladimir Medinsky.", found.hits[0].chunk, 1.0
        )
    ]
    cited = cite(Composition(chosen), found, query)
    assert cited.body.endswith("[1]") and cited.mode == "extractive"
    assert cited.as_of == found.hits[0].chunk.published
    answer = answered(
        query, found, Coverage(found.best_cosine, None, None), Composition(chosen), cited
    )
    assert not answer.abstained and answer.as_of is None and answer.text == cited.body
    quoted = [row["chunk_id"] for row in answer.retrieved if row["quoted"]]
    assert quoted == [found.hits[0].chunk.chunk_id]
    plain = render_plain(answer)
    assert plain.startswith(answer.text) and "[1] " + answer.sources[0].title in plain


def test_a_status_answer_is_one_sentence_a_line_under_as_of(searcher: Searcher) -> None:
    query = make_query(searcher.embedder, "What is the latest on the talks?")
    found = retrieve(searcher, query)
    older = next(h for h in searcher.search("bodies", 8) if h.chunk.article_id != "geneva")
    chunks = [found.passages[0].chunk, older.chunk]
    assert chunks[0].article_id != chunks[1].article_id
    chosen = [Candidate(f"Sentence {n}.", chunk, 1.0) for n, chunk in enumerate(chunks)]
    cited = cite(Composition(chosen), found, query)
    assert len(cited.body.splitlines()) == 2
    answer = answered(query, found, Coverage(1.0, None, None), Composition(chosen), cited)
    newest = max(chunk.published for chunk in chunks)
    assert answer.as_of == newest == cited.as_of
    heading = i18n.text("en", "as_of", date=i18n.format_date(newest, "en"))
    assert answer.text.splitlines()[0] == heading
    assert all(re.search(r"\[\d\]$", line) for line in answer.text.splitlines()[1:])
    assert isinstance(answer.as_of, date)
