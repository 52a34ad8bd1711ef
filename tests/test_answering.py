"""The answer pipeline: citations, abstention, recency, languages, corrections, generation."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from bot import i18n
from bot.answers.answerer import Answerer
from bot.answers.citing import render_plain
from bot.answers.generative import ChatCompletionsGenerator
from bot.answers.questions import is_status_question, question_language
from bot.answers.sentences import SentencePicker, candidate_clues, pick
from bot.answers.tuning import PickerWeights
from index.chunking import ChunkingSettings
from index.ingest import ingest_articles
from index.search import Searcher
from tests.support.embedders import FakeEmbedder
from tests.support.library import LIBRARY, library_searcher, report


@pytest.fixture
def searcher(tmp_path: Path) -> Searcher:
    return library_searcher(tmp_path)


@pytest.fixture
def answerer(searcher: Searcher) -> Answerer:
    return Answerer(lambda: searcher, searcher.embedder)


def test_answer_cites_the_passage_that_holds_the_fact(answerer: Answerer) -> None:
    answer = answerer.answer("Who headed the Russian delegation in Istanbul?")
    assert not answer.abstained
    assert "Medinsky" in answer.text
    assert "[1]" in answer.text
    first = answer.sources[0]
    assert (first.number, first.title, first.source) == (1, "First Istanbul round", "Reuters")
    assert first.published == date(2025, 5, 16)
    assert first.url == "https://example.org/first-round"
    plain = render_plain(answer)
    assert "Sources:" in plain
    assert (
        "[1] First Istanbul round — Reuters, 16 May 2025 https://example.org/first-round" in plain
    )


def test_every_citation_marker_refers_to_a_listed_source(answerer: Answerer) -> None:
    answer = answerer.answer("How many bodies of soldiers will Russia return?")
    markers = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", answer.text)}
    assert markers == {source.number for source in answer.sources}
    assert [s.number for s in answer.sources] == list(range(1, len(answer.sources) + 1))


def test_newer_number_wins_and_says_when_it_was_reported(answerer: Answerer) -> None:
    answer = answerer.answer("How many bodies of soldiers would Russia return?")
    assert "6,060" in answer.text
    assert "6,000" not in answer.text
    assert "reported 16 June 2025" in answer.text


def test_unrelated_question_abstains_and_points_to_sources(answerer: Answerer) -> None:
    answer = answerer.answer("Good banana bread recipe?")
    assert answer.abstained
    assert answer.sources == []
    assert "/sources" in answer.text
    assert answer.retrieved, "what was retrieved is still kept for the log"


def test_status_question_answers_from_the_newest_reporting(answerer: Answerer) -> None:
    assert is_status_question("What is the latest on the peace plan?")
    answer = answerer.answer("What is the latest on the peace plan?")
    assert answer.as_of == date(2025, 11, 24)
    assert answer.text.startswith("As of 24 November 2025:")
    assert "19 points" in answer.text


def test_status_question_about_one_strand_answers_from_its_newest_report(
    answerer: Answerer,
) -> None:
    # The newest report (Geneva) says nothing of the soldiers' bodies: the latest on the bodies
    # is the June report, and the answer says so.
    answer = answerer.answer("Where do things stand now with the return of the bodies?")
    assert answer.as_of == date(2025, 6, 16)
    assert answer.text.startswith("As of 16 June 2025:")
    assert "6,060" in answer.text
    titles = [citation.title for citation in answer.sources]
    assert titles[0] == "More bodies returned"
    assert "Geneva talks revise the peace plan" not in titles


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "as_of"),
    [
        ("What is the latest on the peace talks?", date(2025, 11, 24)),
        ("Що зараз відбувається з мирними переговорами?", date(2025, 11, 24)),
        ("Where do the direct talks in Istanbul stand now?", date(2025, 7, 23)),
        # Only the Russian report covers the July round, and the English question's own
        # search does not reach it: the subject is looked up in every chunk's concepts.
        (
            "latest from the direct ukraine-russia negotiations in istanbul? "
            "did they agree on anything?",
            date(2025, 7, 23),
        ),
        ("Что сейчас с обменом пленными?", date(2025, 7, 23)),
        # Two subjects: the June sample article names a truce, a plan and peace; the November
        # report on the peace plan names nearly as much and is newer.
        ("Чи є зараз перемир'я або хоча б мирний план?", date(2025, 11, 24)),
        ("Есть ли сейчас перемирие или хотя бы мирный план?", date(2025, 11, 24)),
        ("What is the latest on security guarantees for Ukraine?", date(2025, 8, 19)),
    ],
)
def test_status_answers_are_as_of_the_newest_report_on_what_is_asked(
    e5_answerer: Answerer, question: str, as_of: date
) -> None:
    answer = e5_answerer.answer(question)
    assert answer.as_of == as_of, [citation.title for citation in answer.sources]


@pytest.mark.parametrize(
    ("question", "hint", "expected"),
    [
        ("Who led the delegation?", None, "en"),
        ("Хто очолював делегацію на переговорах?", None, "uk"),
        ("Кто возглавлял делегацию на переговорах?", None, "ru"),
        ("42?", "uk-UA", "uk"),
    ],
)
def test_question_language(question: str, hint: str | None, expected: str) -> None:
    assert question_language(question, hint) == expected


def test_abstention_is_framed_in_the_askers_language(answerer: Answerer) -> None:
    answer = answerer.answer("Який рецепт борщу найкращий у світі?")
    assert answer.language == "uk"
    assert answer.abstained
    assert "Мої джерела цього не висвітлюють" in answer.text


@dataclass
class _Correction:
    question: str
    corrected_answer: str
    language: str
    reviewed_at: datetime


def test_approved_correction_is_used_for_a_close_repeat(searcher: Searcher) -> None:
    correction = _Correction(
        "Who headed the Russian delegation in Istanbul?",
        "Vladimir Medinsky, an aide to the Russian president.",
        "en",
        datetime(2025, 7, 1, tzinfo=UTC),
    )
    answerer = Answerer(lambda: searcher, searcher.embedder, corrections=lambda: [correction])
    repeat = answerer.answer("Who headed the Russian delegation in Istanbul")
    assert repeat.reviewed and repeat.mode == "reviewed"
    assert repeat.text.startswith("Vladimir Medinsky, an aide")
    assert "corrected by a moderator on 1 July 2025" in repeat.text
    other = answerer.answer("How many bodies of soldiers will Russia return?")
    assert not other.reviewed


class _ChatStub(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible /chat/completions endpoint with scripted replies."""

    reply: str = ""
    status: int = 200
    requests: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        payload = json.dumps({"choices": [{"message": {"content": type(self).reply}}]})
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_stub():  # type: ignore[no-untyped-def]
    _ChatStub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _generative(searcher: Searcher, server: ThreadingHTTPServer, timeout: float = 5) -> Answerer:
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    generator = ChatCompletionsGenerator(url, model="stub", timeout=timeout)
    return Answerer(lambda: searcher, searcher.embedder, generator=generator)


def test_generative_answer_is_written_from_the_passages(searcher: Searcher, chat_stub) -> None:  # type: ignore[no-untyped-def]
    _ChatStub.reply, _ChatStub.status = "Vladimir Medinsky led it [1].", 200
    answer = _generative(searcher, chat_stub).answer("Who headed the Russian delegation?")
    assert answer.mode == "generative"
    assert answer.text == "Vladimir Medinsky led it [1]."
    prompt = _ChatStub.requests[0]["messages"][1]["content"]
    assert "[1] First Istanbul round (Reuters, 2025-05-16)" in prompt
    assert answer.sources[0].title == "First Istanbul round"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("Medinsky led it [7].", 200),  # cites a passage it was not given
        ("Medinsky led it.", 200),  # cites nothing
        ("Medinsky led it [1]. Otherwise NO_ANSWER.", 200),  # hedges both ways
        ("", 500),
    ],
)
def test_generative_failures_fall_back_to_extractive(
    searcher: Searcher,
    chat_stub,
    reply: str,
    status: int,  # type: ignore[no-untyped-def]
) -> None:
    _ChatStub.reply, _ChatStub.status = reply, status
    answer = _generative(searcher, chat_stub).answer("Who headed the Russian delegation?")
    assert answer.mode == "extractive"
    assert "Medinsky" in answer.text and "[1]" in answer.text


@pytest.mark.parametrize("reply", ["NO_ANSWER", "NO_ANSWER."])
def test_a_model_finding_no_answer_in_the_passages_declines(
    searcher: Searcher,
    chat_stub,
    reply: str,  # type: ignore[no-untyped-def]
) -> None:
    _ChatStub.reply, _ChatStub.status = reply, 200
    answerer = _generative(searcher, chat_stub)
    answer = answerer.answer("Who headed the Russian delegation?")
    assert answer.abstained and answer.mode == "generative"
    assert answer.text == i18n.text("en", "no_answer")
    assert "Medinsky" not in answer.text and not answer.sources
    assert answer.retrieved, "what was read is kept for the review desk"
    ukrainian = answerer.answer("Хто очолював російську делегацію?")
    assert ukrainian.abstained and ukrainian.text == i18n.text("uk", "no_answer")


def test_generative_endpoint_down_falls_back(searcher: Searcher) -> None:
    generator = ChatCompletionsGenerator("http://127.0.0.1:9/v1", model="x", timeout=0.5)
    answerer = Answerer(lambda: searcher, searcher.embedder, generator=generator)
    answer = answerer.answer("Who headed the Russian delegation?")
    assert answer.mode == "extractive" and not answer.abstained


class _CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting (and keeping) the passage texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0
        self.texts: list[str] = []

    def encode(self, texts, *, kind="passage", batch_size=32):  # type: ignore[no-untyped-def]
        if kind == "passage":
            self.passages += len(texts)
            self.texts.extend(texts)
        return super().encode(texts, kind=kind, batch_size=batch_size)


def test_a_sentence_opening_with_a_pronoun_is_embedded_with_the_one_before(
    tmp_path: Path,
) -> None:
    library = [
        report(
            "easter",
            date(2025, 4, 20),
            "Easter truce",
            "Vladimir Putin declared a short Easter truce on 19 April. "
            "He announced the decision at a meeting with Valery Gerasimov. "
            "Ukraine greeted the announcement with scepticism.",
        )
    ]
    embedder = _CountingEmbedder()
    # Without stored sentence vectors the picker embeds the sentences itself.
    chunking = ChunkingSettings(sentence_vectors=False)
    ingest_articles(library, index_dir=tmp_path / "index", embedder=embedder, chunking=chunking)
    searcher = Searcher.open(tmp_path / "index", embedder)
    embedder.texts.clear()
    answer = Answerer(lambda: searcher, embedder).answer("Who did Putin meet about the truce?")
    assert "Gerasimov" in answer.text
    assert (
        "Vladimir Putin declared a short Easter truce on 19 April. "
        "He announced the decision at a meeting with Valery Gerasimov." in embedder.texts
    )
    # Sentences that stand alone are embedded alone; the answer quotes sentences as written.
    assert "Ukraine greeted the announcement with scepticism." in embedder.texts
    assert "He announced the decision at a meeting with Valery Gerasimov." in answer.text


def test_sentences_are_embedded_once_across_answers(tmp_path: Path) -> None:
    embedder = _CountingEmbedder()
    chunking = ChunkingSettings(sentence_vectors=False)
    ingest_articles(LIBRARY, index_dir=tmp_path / "index", embedder=embedder, chunking=chunking)
    searcher = Searcher.open(tmp_path / "index", embedder)
    answerer = Answerer(lambda: searcher, embedder)
    embedder.passages = 0
    first = answerer.answer("Who headed the Russian delegation in Istanbul?")
    after_first = embedder.passages
    again = answerer.answer("Who headed the Russian delegation in Istanbul?")
    assert after_first > 0
    assert embedder.passages == after_first, "the second answer re-embedded sentences"
    assert again.text == first.text


def test_stored_sentence_vectors_spare_the_picker_any_embedding(tmp_path: Path) -> None:
    embedder = _CountingEmbedder()
    ingest_articles(LIBRARY, index_dir=tmp_path / "index", embedder=embedder)
    searcher = Searcher.open(tmp_path / "index", embedder)
    embedder.passages = 0
    answer = Answerer(lambda: searcher, embedder).answer("Who headed the Russian delegation?")
    assert not answer.abstained and answer.sources
    assert embedder.passages == 0, "the picker embedded sentences ingest had stored"
    # The stored vectors are the ones the picker would have made.
    hits = searcher.search("Who headed the Russian delegation?", 3)
    stored = searcher.stored_sentence_vectors(hits)
    assert stored
    for text, vector in stored.items():
        np.testing.assert_allclose(vector, embedder.encode([text])[0], atol=1e-6)


def test_a_named_month_favours_reports_published_in_it(tmp_path: Path) -> None:
    text = "The two delegations exchanged prisoners of war after the talks."
    library = [
        report("may-exchange", date(2025, 5, 25), "Exchange completed", text + " It was big."),
        report("june-exchange", date(2025, 6, 16), "Exchange completed", text + " It was long."),
    ]
    embedder = FakeEmbedder()
    ingest_articles(library, index_dir=tmp_path / "index", embedder=embedder)
    searcher = Searcher.open(tmp_path / "index", embedder)
    answerer = Answerer(lambda: searcher, embedder)
    for question, expected in [
        ("Which prisoners of war were exchanged after the talks in June?", "june-exchange"),
        ("Які полонені були обміняні у травні?", "may-exchange"),
    ]:
        answer = answerer.answer(question)
        assert answer.retrieved[0]["article_id"] == expected, question


def test_picking_from_recorded_clues_repeats_the_pickers_choice(searcher: Searcher) -> None:
    # bench/tune_picker.py re-picks from recorded clues and similarities to fit PickerWeights;
    # that is only sound if doing so gives what the picker itself chose.
    embedder = searcher.embedder
    picker = SentencePicker(embedder)
    for question, status in [
        ("Who headed the Russian delegation in Istanbul?", False),
        ("How many bodies were returned?", False),
        ("What is the latest on the peace plan?", True),
    ]:
        vector = embedder.encode([question], kind="query")[0]
        hits = searcher.search(question, 4, query_vector=vector)
        chosen = picker.choose(question, vector, hits, status=status, language="en", count=3)
        pool = candidate_clues(question, hits, status=status)
        pool.sort(key=lambda clues: -clues.prior(picker.weights))
        pool = pool[: picker.weights.scored]
        similarity = embedder.encode([c.embedded for c in pool], kind="passage") @ vector
        again = pick(pool, similarity, picker.weights, 3, "en")
        assert chosen and [c.text for c in again] == [c.text for c in chosen], question
        assert [c.score for c in again] == pytest.approx([c.score for c in chosen])


def test_weights_change_what_the_picker_prefers(searcher: Searcher) -> None:
    question = "Who headed the Russian delegation in Istanbul?"
    vector = searcher.embedder.encode([question], kind="query")[0]
    hits = searcher.search(question, 4, query_vector=vector)
    pool = candidate_clues(question, hits, status=False)
    assert any(clues.answer_type for clues in pool), "a sentence naming a person is a candidate"
    similarity = np.zeros(len(pool))
    # With no similarity to tell them apart, the answer-type clue alone puts a name first.
    typed = pick(pool, similarity, PickerWeights(rank_prior=0.0, lead_penalty=0.0), 1, "en")
    assert "Medinsky" in typed[0].text
