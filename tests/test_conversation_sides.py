"""The sides come from the party gazetteer and the deployment profile, not from the code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation.anchors import asks_which_talks, is_side, names_a_person, names_which_talks
from bot.conversation.followups import is_follow_up
from bot.profile import DEFAULT_PROFILE, activate, load_profile
from index.parties import default_gazetteer

MIXED_PROFILE = Path(__file__).resolve().parent.parent / "data/samples/mixed/profile.toml"


@pytest.fixture
def mixed_library() -> Iterator[None]:
    activate(load_profile(MIXED_PROFILE))
    yield
    activate(load_profile(DEFAULT_PROFILE))


@pytest.mark.parametrize(
    "word", ["Indian", "Pakistan", "Kigali", "Азербайджан", "вірменська", "Israeli", "Hamas"]
)
def test_any_party_the_gazetteer_knows_is_a_side(word: str) -> None:
    assert is_side(word)


@pytest.mark.parametrize("question", ["who led the united states side?", "what did india say?"])
def test_sides_in_lower_case_or_in_two_words_are_still_sides(question: str) -> None:
    assert not names_which_talks(question)


@pytest.mark.usefixtures("mixed_library")
def test_in_another_library_the_sides_alone_are_asked_which_talks() -> None:
    assert asks_which_talks("who led the Indian side?")
    assert asks_which_talks("хто очолював вірменську делегацію?")
    assert not asks_which_talks("who mediated in Washington on 27 June?")
    # Doha is Qatar's capital to the gazetteer; the profile names it a place of talks.
    assert names_which_talks("who mediated in Doha?")


@pytest.mark.parametrize(
    "question",
    [
        "who came with Putin?",
        "what did Zelensky say?",
        "що заявив Зеленський?",
        "а яку посаду тоді обіймав Умеров?",
        "а кто сопровождал Трампа?",
        "что ответил Путин?",
    ],
)
def test_a_person_s_name_does_not_say_which_talks(question: str) -> None:
    assert not names_which_talks(question)
    assert names_a_person(question)
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "what did Putin say in Alaska?",
        "what did the Alaska summit produce?",
        "How many points did the revised Geneva peace framework have?",
        "what was agreed on the Black Sea?",
        "що заявив Зеленський у Стамбулі?",
        "скільки пунктів лишилося після Женеви?",
        "что сказал Трамп на Аляске?",
        "кто возглавлял делегацию в Джидде?",
    ],
)
def test_a_name_where_a_place_or_an_event_stands_says_which_talks(question: str) -> None:
    assert names_which_talks(question)
    assert not asks_which_talks(question)


def test_the_profile_names_capitals_that_were_places_of_its_talks() -> None:
    assert not names_which_talks("who led the Russian side in Moscow?")
    # Riyadh is Saudi Arabia's capital to the gazetteer, and a place of these talks.
    assert names_which_talks("who led the Russian side in Riyadh?")


def test_a_possessive_or_abbreviated_side_is_a_side() -> None:
    assert not names_which_talks("and Ukraine's?")
    assert not names_which_talks("who led the U.S. delegation?")


def test_the_gazetteer_says_where_a_party_is_named() -> None:
    text = "Делегацію США в Стамбулі очолював Рубіо; the United States side"
    found = {(text[m.start : m.end], m.party_id) for m in default_gazetteer().mentions(text)}
    assert found == {("США", "united-states"), ("United States", "united-states")}
