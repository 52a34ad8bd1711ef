"""Reviewed answers: a moderator's correction reused for a question close to the one it answered."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.answers.query import make_query
from bot.answers.reviewed import ReviewedAnswers
from bot.answers.tuning import ANSWER_TUNING
from tests.support.embedders import CountingEmbedder


@dataclass
class Correction:
    question: str
    corrected_answer: str
    language: str
    reviewed_at: datetime


CORRECTION = Correction(
    "Who led the delegation?", "Medinsky.", "en", datetime(2025, 6, 1, tzinfo=UTC)
)


def test_a_close_question_gets_the_correction_once_embedded() -> None:
    embedder = CountingEmbedder()
    reviewed = ReviewedAnswers(embedder, lambda: [CORRECTION])
    for _ in range(2):
        answer = reviewed.match(make_query(embedder, "Who led the delegation?"))
        assert answer is not None and answer.reviewed and answer.mode == "reviewed"
        assert answer.text.startswith("Medinsky.\n\n")
    assert embedder.texts.count(CORRECTION.question) == 3, "two queries and the correction once"


def test_a_distant_question_or_no_corrections_get_none() -> None:
    embedder = CountingEmbedder()
    assert ReviewedAnswers(embedder, None).match(make_query(embedder, "Who led?")) is None
    assert (
        ReviewedAnswers(embedder, lambda: [CORRECTION]).match(
            make_query(embedder, "How many bodies were returned in June?")
        )
        is None
    )


def test_the_bar_comes_from_the_tuning() -> None:
    embedder = CountingEmbedder()
    lax = replace(ANSWER_TUNING, default_correction_match=-1.0)
    query = make_query(embedder, "How many bodies were returned in June?")
    assert ReviewedAnswers(embedder, lambda: [CORRECTION], lax).match(query) is not None
