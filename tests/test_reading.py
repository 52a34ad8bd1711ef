"""The reading step of the answering path: spans to sentences, answers that lead with them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.answers.answer_types import Answer, Citation
from bot.answers.answerer import Answerer
from bot.answers.query import make_query
from bot.answers.reading import read, read_hits, sentence_at
from bot.telegram.messages import format_answer
from index.search import Searcher
from tests.support.library import LIBRARY, library_searcher
from tests.support.readers import PhraseReader


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    return library_searcher(tmp_path)


def answerer_with(searcher: Searcher, reader: PhraseReader, **options: object) -> Answerer:
    return Answerer(lambda: searcher, searcher.embedder, reader=reader, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("words", "sentence"),
    [
        ("16 May", "The talks began on 16 May in Istanbul."),
        ("First", "First sentence here."),
        ("ended\n soon", "They ended soon after."),
    ],
)
def test_sentence_at_finds_the_sentence_around_a_span(words: str, sentence: str) -> None:
    text = (
        "First  sentence here.\n\nThe talks began on 16 May in Istanbul. They ended\n soon after."
    )
    start = text.index(words)
    assert sentence_at(text, start, start + len(words)) == sentence


def test_a_span_across_sentences_keeps_both() -> None:
    text = "One ends here. Two starts there."
    start = text.index("here")
    assert sentence_at(text, start, text.index("starts") + 6) == text


def test_read_hits_keeps_spans_above_the_threshold(searcher: Searcher) -> None:
    hits = searcher.search("Who headed the Russian delegation?", 5)
    reading = read_hits(PhraseReader(["Vladimir Medinsky"]), "Who headed it?", hits)
    assert [finding.span for finding in reading.findings] == ["Vladimir Medinsky"]
    finding = reading.findings[0]
    assert finding.sentence == "The Russian delegation was headed by Vladimir Medinsky."
    assert finding.hit.chunk.article_id == "first-round"
    assert reading.best_margin == 5.0
    nothing = read_hits(PhraseReader(["no such words"]), "Who headed it?", hits)
    assert nothing.findings == [] and nothing.best_margin == -5.0


def test_the_answer_leads_with_the_answering_sentence(searcher: Searcher) -> None:
    answer = answerer_with(searcher, PhraseReader(["Vladimir Medinsky"])).answer(
        "Who headed the Russian delegation in Istanbul?"
    )
    assert not answer.abstained and answer.mode == "reader"
    first_line = "The Russian delegation was headed by Vladimir Medinsky. [1]"
    assert answer.text.startswith(first_line)
    assert answer.highlight == "Vladimir Medinsky" and answer.reader_margin == 5.0
    assert answer.sources[0].article_id == "first-round"
    # One supporting sentence at most by default: the lead plus one more, each cited.
    assert answer.text.count("[") <= 2
    assert any(row["quoted"] for row in answer.retrieved)


def test_support_sentences_can_be_turned_off(searcher: Searcher) -> None:
    answerer = answerer_with(searcher, PhraseReader(["1,000 prisoners"]), support_sentences=0)
    answer = answerer.answer("How many prisoners did the sides agree to exchange?")
    assert answer.text == "The sides agreed to exchange 1,000 prisoners each. [1]"
    assert len(answer.sources) == 1


def test_when_the_reader_finds_nothing_the_sentence_picker_answers(searcher: Searcher) -> None:
    reader = PhraseReader(["no such words"])
    answer = answerer_with(searcher, reader).answer("Who headed the Russian delegation?")
    assert not answer.abstained and answer.mode == "extractive" and answer.highlight is None
    assert "Medinsky" in answer.text
    assert reader.questions, "the reader was asked first"


def test_declining_reader_says_the_reports_do_not_say_and_names_the_closest(
    searcher: Searcher,
) -> None:
    answerer = answerer_with(searcher, PhraseReader(["no such words"]), reader_declines=True)
    answer = answerer.answer("Which hotel hosted the Geneva talks?")
    assert answer.abstained and answer.abstain_reason == "no_answer_found"
    assert answer.text.startswith("The reports I have don't say. The closest is “")
    titles = [article.title for article in LIBRARY]
    assert any(f"“{title}”" in answer.text for title in titles)
    assert answer.sources == [] and answer.retrieved


def test_status_questions_keep_their_summary(searcher: Searcher) -> None:
    reader = PhraseReader(["19 points"])
    answer = answerer_with(searcher, reader).answer("What is the latest on the peace plan?")
    assert answer.text.startswith("As of 24 November 2025:")
    assert answer.mode == "extractive" and reader.questions == []


def test_off_topic_questions_are_declined_before_reading(searcher: Searcher) -> None:
    reader = PhraseReader(["banana"])
    answer = answerer_with(searcher, reader).answer("Good banana bread recipe?")
    assert answer.abstained and answer.abstain_reason != "no_answer_found"
    assert reader.questions == []


def test_telegram_sets_the_highlight_in_bold_once_and_escaped() -> None:
    citation = Citation(
        number=1,
        title="Talks",
        source="AP",
        published=date(2025, 5, 16),
        url="",
        score=0.9,
        text="",
        article_id="a",
        chunk_id="a#0",
    )
    answer = Answer(
        question="Who?",
        text="Talks led by R&D chief Smith. Smith left. R&D chief Smith returned. [1]",
        language="en",
        abstained=False,
        sources=[citation],
        highlight="R&D chief Smith",
    )
    html = "\n".join(format_answer(answer))
    assert html.count("<b>R&amp;D chief Smith</b>") == 1
    assert html.index("<b>R&amp;D") < html.index("Smith left")


def test_the_read_stage_leaves_status_questions_and_missing_readers_to_the_picker(
    searcher: Searcher,
) -> None:
    reader = PhraseReader(["Vladimir Medinsky"])
    status = make_query(searcher.embedder, "What's the latest on the talks?")
    hits = searcher.search(status.text, 5)
    assert read(reader, status, hits) is None and reader.questions == []
    factoid = make_query(searcher.embedder, "Who headed the Russian delegation?")
    assert read(None, factoid, hits) is None
    found = read(reader, factoid, searcher.search(factoid.text, 5))
    assert found is not None and found.findings[0].span == "Vladimir Medinsky"


def test_the_read_stage_keeps_an_empty_reading_only_when_the_reader_declines(
    searcher: Searcher,
) -> None:
    reader = PhraseReader(["no such phrase"])
    query = make_query(searcher.embedder, "Who headed the Russian delegation?")
    hits = searcher.search(query.text, 5)
    assert read(reader, query, hits) is None
    reading = read(reader, query, hits, declines=True)
    assert reading is not None and reading.findings == []
