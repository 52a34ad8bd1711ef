"""Prepositions, "in return" and "again" are no words of a question's own, in three languages."""

from __future__ import annotations

import pytest

from bot.conversation import ConversationMemory, Turn, understand
from bot.conversation.followups import content_words, is_follow_up, too_short_to_stand_alone

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


@pytest.mark.parametrize(
    ("question", "own"),
    [
        ("what did Kyiv get in exchange?", ["Kyiv", "get"]),
        ("what did Washington give in return?", ["Washington", "give"]),
        ("what did Putin say about meeting again?", ["Putin", "say", "meeting"]),
        ("did they say where they'd meet next?", ["say", "meet", "next"]),
        ("а що отримав Київ натомість?", ["отримав", "Київ"]),
        ("і коли хотіли зустрітися знову?", ["хотіли", "зустрітися"]),
        ("что Россия дала взамен?", ["Россия", "дала"]),
        ("где предложили встретиться в следующий раз?", ["предложили", "встретиться"]),
    ],
)
def test_what_only_makes_sense_against_something_said_before_points_back(
    question: str, own: list[str]
) -> None:
    assert content_words(question) == own
    assert is_follow_up(question)
    # Alone, "in return for what?" cannot be looked up: the whole question is asked for.
    assert too_short_to_stand_alone(question)


@pytest.mark.parametrize(
    "question",
    [
        "what did Ukraine offer in exchange for the prisoners held since 2022?",
        "що Україна запропонувала в обмін на полонених, утримуваних з 2022 року?",
        "что Россия потребовала в ответ на предложение о прекращении огня в марте?",
    ],
)
def test_an_exchange_or_answer_that_says_for_what_stands_alone(question: str) -> None:
    assert not too_short_to_stand_alone(question)
