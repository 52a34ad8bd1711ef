"""The answerability benchmark's arithmetic: ROC AUC and the first quoted sentence."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers.answer_types import Answer
from tests.support.bench import load_bench_script

bench = load_bench_script("bench_answerability")


@pytest.mark.parametrize(
    ("scores", "positive", "expected"),
    [
        ([0.9, 0.8, 0.1], [True, True, False], 1.0),
        ([0.1, 0.2, 0.9], [True, True, False], 0.0),
        ([0.5, 0.5], [True, False], 0.5),
        # Positives 0.9 and 0.4 against negatives 0.6 and 0.4: 1 + 1 + 0 + 0.5 of 4 pairs.
        ([0.9, 0.4, 0.6, 0.4], [True, True, False, False], 0.625),
    ],
)
def test_roc_auc_counts_pairs_ordered_with_ties_as_half(
    scores: list[float], positive: list[bool], expected: float
) -> None:
    assert bench.roc_auc(scores, positive) == pytest.approx(expected)


def test_roc_auc_needs_both_kinds_of_question() -> None:
    with pytest.raises(ValueError, match="one positive and one negative"):
        bench.roc_auc([0.3, 0.4], [True, True])


def _answer(text: str, as_of: date | None = None) -> Answer:
    return Answer(question="q", text=text, language="en", abstained=False, as_of=as_of)


def test_first_sentence_is_the_first_quote_and_its_citation() -> None:
    text = "Talks lasted 40 minutes. [1] They agreed a swap of 1,200. [2]"
    assert bench.first_sentence(_answer(text)) == "Talks lasted 40 minutes. [1]"


def test_first_sentence_of_a_status_answer_skips_the_as_of_line() -> None:
    text = "As of 23 July 2025:\nThe third round took place. [1]\nAn older report. [2]"
    answer = _answer(text, as_of=date(2025, 7, 23))
    assert bench.first_sentence(answer) == "The third round took place. [1]"
