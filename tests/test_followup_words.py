"""Prepositions are no words of a question's own, in English, Ukrainian and Russian."""

from __future__ import annotations

import pytest

from bot.conversation import ConversationMemory, Turn, understand
from bot.conversation.followups import content_words, is_follow_up

KEY = ("chat", 1)
SUBJECT = "When did Russia's Victory Day truce in May 2025 begin?"


@pytest.mark.parametrize(
    ("question", "own"),
    [
        ("who among the foreign guests was at the parade?", ["foreign", "guests", "parade"]),
        ("хто серед іноземних гостей був на параді?", ["іноземних", "гостей", "параді"]),
        ("кто из иностранных гостей был на параде?", ["иностранных", "гостей", "параде"]),
        ("what happened during the truce?", ["truce"]),
        ("що сталося після перемир'я?", ["перемир'я"]),
        ("что было после перемирия?", ["перемирия"]),
    ],
)
def test_prepositions_are_no_words_of_the_questions_own(question: str, own: list[str]) -> None:
    assert content_words(question) == own
    # A few words of its own that name no talks: it asks about the talks just talked about.
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "who among the foreign guests was at the parade?",
        "хто серед іноземних гостей був на параді?",
        "кто из иностранных гостей был на параде?",
    ],
)
def test_such_a_question_leans_on_the_conversation(question: str) -> None:
    memory = ConversationMemory(turns=5)
    memory.remember(KEY, Turn(SUBJECT, SUBJECT, SUBJECT, ("victory-day",), True))
    understood = understand(question, memory, KEY)
    assert understood.about == SUBJECT
    assert understood.prefer == ("victory-day",)
    assert "Victory" in understood.query
