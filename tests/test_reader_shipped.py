"""The shipped reader on fixed questions: the span it finds, in English and across languages."""

from __future__ import annotations

import pytest

from bot.reader.model import MODEL_DIR, Reader, read_card, shipped_reader

pytestmark = pytest.mark.model

ISTANBUL = (
    "Delegations from Ukraine and Russia met in Istanbul on 16 May 2025, their first direct "
    "talks since 2022. They agreed to exchange 1,000 prisoners of war each. The meeting lasted "
    "less than two hours."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return shipped_reader()


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("How many prisoners did they agree to exchange?", "1,000"),
        ("Where did the delegations meet on 16 May?", "Istanbul"),
        ("How long did the meeting last?", "two hours"),
    ],
)
def test_english_questions_get_their_span_above_the_threshold(
    reader: Reader, question: str, span: str
) -> None:
    found = reader.answer(question, [ISTANBUL])
    assert found is not None
    assert found.text == span


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("Скільки полонених домовилися обміняти?", "1,000"),
        ("Сколько длилась встреча?", "two hours"),
    ],
)
def test_ukrainian_and_russian_questions_find_the_english_span(
    reader: Reader, question: str, span: str
) -> None:
    best = reader.read(question, [ISTANBUL])[0]
    # Across languages the span can run long (no Ukrainian or Russian training data): it must
    # hold the answer and stay within the passage's two sentences around it.
    assert span in best.text
    assert len(best.text) <= 80


def test_the_card_records_the_threshold_the_reader_loads_with(reader: Reader) -> None:
    card = read_card(MODEL_DIR)
    assert reader.threshold == pytest.approx(float(card["threshold"]))  # type: ignore[arg-type]
    assert card["recipe"]["seed"] == 13  # type: ignore[index]
