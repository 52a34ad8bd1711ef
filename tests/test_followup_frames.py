"""Bare follow-ups borrow the kind of fact the question before them asked for (their frame)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from bot.answers.answer_types import Answer
from bot.answers.sentences import candidate_clues
from bot.conversation import ConversationMemory, Turn, answer_understood, remember, understand
from index.documents import Chunk, SearchHit

KEY = ("chat", 1)


def _after(question: str, frame: str | None) -> ConversationMemory:
    memory = ConversationMemory(turns=5)
    memory.remember(KEY, Turn(question, question, question, ("a",), True, frame=frame))
    return memory


@pytest.mark.parametrize(
    ("before", "frame", "follow_up", "expected"),
    [
        ("How many prisoners were exchanged in Istanbul?", "number", "and the bodies?", "number"),
        ("Скільки полонених обміняли 23 травня?", "number", "а тіл?", "number"),
        ("Когда прошёл обмен в Стамбуле 2 июня?", "date", "а второй этап?", "date"),
        # Its own question word wins over the frame before it.
        ("How many prisoners were exchanged in Istanbul?", "number", "and when?", "date"),
        ("Скільки полонених обміняли 23 травня?", "number", "а хто його організував?", "person"),
        ("How many were exchanged?", "number", "and what did Zelensky call it?", "reaction"),
        # Not bare: no lead, or words enough of its own, ask for no kind in particular.
        ("How many prisoners were exchanged?", "number", "what did Washington give?", None),
        ("How many prisoners were exchanged?", "number", "and what did Zelensky sign then?", None),
    ],
)
def test_a_bare_follow_up_borrows_the_frame_before_it(
    before: str, frame: str, follow_up: str, expected: str | None
) -> None:
    understood = understand(follow_up, _after(before, frame), KEY)
    assert understood.resolved is not None
    assert understood.frame == expected


def test_a_standing_question_has_its_own_frame_and_the_turn_keeps_it() -> None:
    memory = ConversationMemory(turns=5)
    understood = understand("How many prisoners were exchanged in Istanbul?", memory, KEY)
    assert understood.frame == "number"
    answer = Answer(question="q", text="t", language="en", abstained=False)
    remember(memory, KEY, understood, answer)
    assert memory.recent(KEY)[-1].frame == "number"
    # …so a bare third turn still finds it after a bare second one.
    second = understand("and the bodies?", memory, KEY)
    remember(memory, KEY, second, answer)
    assert understand("and the wounded?", memory, KEY).frame == "number"


class _Recording:
    def __init__(self) -> None:
        self.frames: list[str | None] = []

    def answer(self, question: str, **options: object) -> Answer:
        self.frames.append(options.get("frame"))  # type: ignore[arg-type]
        return Answer(question=question, text="t", language="en", abstained=False)


def test_the_frame_goes_to_the_answerer() -> None:
    recording = _Recording()
    memory = _after("How many prisoners were exchanged in Istanbul?", "number")
    understood = understand("and the bodies?", memory, KEY)
    answer_understood(recording, understood, "en", track=None)
    assert recording.frames == ["number"]


def _hits(sentences: Sequence[str]) -> list[SearchHit]:
    chunk = Chunk("a", 1, " ".join(sentences), "t", date(2025, 6, 3), "s", "u", "en")
    return [SearchHit(chunk, 1.0)]


def test_the_frame_marks_sentences_carrying_that_kind_of_fact() -> None:
    hits = _hits(
        [
            "Russia said it was ready to hand over the bodies of fallen soldiers.",
            "It offered to return 6,000 bodies of fallen Ukrainian soldiers.",
        ]
    )
    bare = {c.text: c.answer_type for c in candidate_clues("and the bodies?", hits, status=False)}
    framed = {
        c.text: c.answer_type
        for c in candidate_clues("and the bodies?", hits, status=False, frame="number")
    }
    assert not any(bare.values())
    assert [text for text, carries in framed.items() if carries] == [
        "It offered to return 6,000 bodies of fallen Ukrainian soldiers."
    ]
