"""The writing stage: a generative model's rewrite, its refusal, or the cited answer unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.answers.answer_types import Citation
from bot.answers.citing import Cited
from bot.answers.deciding import Decline, no_answer_text
from bot.answers.query import make_query
from bot.answers.writing import NO_ANSWER, write
from tests.support.embedders import FakeEmbedder

SOURCE = Citation(1, "Title", "AP", date(2025, 6, 2), "https://example.org", 0.9, "Text.")
CITED = Cited("Extractive body [1]", [SOURCE], date(2025, 6, 2), "extractive")


class Scripted:
    """A generator that answers what it is told to, and remembers what it was given."""

    def __init__(self, reply: str | None) -> None:
        self.reply = reply
        self.given: list[tuple[str, str, Sequence[Citation]]] = []

    def write(self, question: str, language: str, passages: Sequence[Citation]) -> str | None:
        self.given.append((question, language, passages))
        return self.reply


def test_without_a_model_or_when_it_fails_the_cited_answer_stands() -> None:
    query = make_query(FakeEmbedder(), "Who met?")
    assert write(None, query, CITED) is CITED
    failing = Scripted(None)
    assert write(failing, query, CITED) is CITED
    assert failing.given == [("Who met?", "en", [SOURCE])]


def test_a_models_rewrite_keeps_the_sources() -> None:
    written = write(Scripted("Rewritten [1]"), make_query(FakeEmbedder(), "Who met?"), CITED)
    assert isinstance(written, Cited)
    assert (written.body, written.mode, written.sources) == (
        "Rewritten [1]",
        "generative",
        [SOURCE],
    )


def test_a_models_no_answer_declines() -> None:
    query = make_query(FakeEmbedder(), "Хто зустрівся?")
    written = write(Scripted(NO_ANSWER), query, CITED)
    assert isinstance(written, Decline)
    assert (written.reason, written.mode) == ("no_answer_found", "generative")
    assert written.text == no_answer_text("uk")
