"""Reading questions: the month they name, the kind of fact they want."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers.fact_kinds import answer_type, carries_answer_type
from bot.answers.questions import (
    is_status_question,
    named_period,
    ordinal_agreement,
    ordinals_in,
    outside_coverage,
    years_named,
)

NEWEST = date(2025, 11, 24)


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("What happened at the talks in July 2025?", (date(2025, 7, 1), date(2025, 8, 3))),
        ("Who met in Riyadh in February?", (date(2025, 2, 1), date(2025, 3, 3))),
        # A day beside the month narrows the period to reports of that day and the next few.
        ("Що сталося 16 травня?", (date(2025, 5, 16), date(2025, 5, 19))),
        ("Where did the May 16th talks take place?", (date(2025, 5, 16), date(2025, 5, 19))),
        ("Что обсуждали в Женеве в ноябре?", (date(2025, 11, 1), date(2025, 12, 3))),
        ("Какое перемирие объявили на 8–10 мая?", (date(2025, 5, 8), date(2025, 5, 13))),
        ("Сколько обменяли 25-го мая?", (date(2025, 5, 25), date(2025, 5, 28))),
        ("where did the may 16 talks happen", (date(2025, 5, 16), date(2025, 5, 19))),
        ("Who met in May 2025?", (date(2025, 5, 1), date(2025, 6, 3))),
        # December has not come yet in the library's latest year: last December is meant.
        ("What was agreed in December?", (date(2024, 12, 1), date(2025, 1, 3))),
    ],
)
def test_named_month_or_day_becomes_a_publication_period(
    question: str, period: tuple[date, date]
) -> None:
    assert named_period(question, NEWEST) == period


@pytest.mark.parametrize(
    "question",
    ["What may happen next in the talks?", "Who leads the Russian delegation?", "Хто травмований?"],
)
def test_no_month_no_period(question: str) -> None:
    assert named_period(question, NEWEST) is None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long did the meeting last?", "duration"),
        ("Сколько длилось пасхальное перемирие?", "duration"),
        ("скільки годин говорили трамп і путін?", "duration"),
        ("Сколько времени шли переговоры?", "duration"),
        ("How many hours did they talk?", "duration"),
        ("How many prisoners were freed?", "number"),
        ("Скільки тіл повернули?", "number"),
        ("When did the ceasefire start?", "date"),
        ("Хто очолював делегацію?", "person"),
        # The earliest cue wins: "when" here dates the meeting, the question asks who.
        ("Who was Putin meeting with when he announced the truce?", "person"),
        ("На встрече с кем Путин объявил перемирие?", "person"),
        ("Which German leader pushed for a ceasefire?", "person"),
        ("Який президент Фінляндії був у Білому домі?", "person"),
        ("Где прошли переговоры?", "place"),
        ("how did Kyiv react?", "reaction"),
        ("and Moscow's response?", "reaction"),
        ("і що на це Путін?", "reaction"),
        ("как отреагировал Кремль?", "reaction"),
        ("When did Kyiv respond?", "date"),
        ("what did Zelensky call the Russian text", "reaction"),
        ("Як Трамп охарактеризував дії Путіна?", "reaction"),
        ("What was agreed on the call?", None),
        ("What did the memorandum say?", None),
    ],
)
def test_answer_type(question: str, kind: str | None) -> None:
    assert answer_type(question) == kind


def test_a_person_named_in_the_question_is_no_answer_to_who() -> None:
    question = "Who was Putin meeting with when he announced the truce?"
    assert not carries_answer_type(
        "person", "Vladimir Putin declared a truce on 19 April.", question
    )
    assert carries_answer_type("person", "He met the chief of staff, Valery Gerasimov.", question)


def test_what_someone_said_back_answers_a_reaction() -> None:
    question = "how did Kyiv react?"
    assert carries_answer_type("reaction", "Kyiv said it would not recognise the deal.", question)
    assert carries_answer_type("reaction", "Зеленський назвав це спробою затягнути час.", question)
    assert carries_answer_type("reaction", "В Кремле отвергли это предложение.", question)
    assert not carries_answer_type("reaction", "The talks lasted four and a half hours.", question)


def test_years_and_dates_do_not_answer_how_many() -> None:
    question = "How many prisoners were freed on 23 May?"
    assert not carries_answer_type("number", "The talks on 16 May 2025 ended early.", question)
    assert carries_answer_type("number", "Each side freed 390 people.", question)
    assert carries_answer_type("number", "A thousand people were freed.", question)


def test_durations_answer_how_long() -> None:
    question = "How long did the talks last?"
    assert carries_answer_type("duration", "The meeting lasted less than two hours.", question)
    assert carries_answer_type("duration", "Встреча длилась около 40 минут.", question)
    assert not carries_answer_type("duration", "The talks were held in Istanbul in 2025.", question)
    assert carries_answer_type("duration", "The meeting lasted a little over an hour.", question)
    assert carries_answer_type("duration", "Встреча продолжалась больше часа.", question)
    assert not carries_answer_type("duration", "Anyway, the delegations met again.", question)


def test_a_place_can_be_named_without_a_proper_noun() -> None:
    question = "Где именно передавали людей?"
    border = "Передача людей відбувалася на українсько-білоруському кордоні."
    assert carries_answer_type("place", border, question)
    assert not carries_answer_type("place", "Передача людей відбувалася три дні поспіль.", question)


@pytest.mark.parametrize(
    ("text", "ordinals"),
    [
        ("the second round of talks", {2}),
        ("Другого дня, 24 травня", {2}),
        ("во второй день обмена", {2}),
        ("третий раунд прямых переговоров", {3}),
        ("the first direct talks since 2022", set()),
    ],
)
def test_ordinals_are_read_in_every_language(text: str, ordinals: set[int]) -> None:
    assert ordinals_in(text) == ordinals


def test_sentences_naming_the_asked_ordinal_win_and_others_lose() -> None:
    question = "Сколько пленных освободили во второй день обмена?"
    asked = ordinals_in(question)
    assert ordinal_agreement(asked, "Другого дня повернулися ще 307 захисників.") == 1
    assert ordinal_agreement(asked, "Третього дня сторони обміняли ще по 303 особи.") == -1
    assert ordinal_agreement(asked, "Обмін відбувався три дні поспіль.") == 0
    assert (
        ordinal_agreement(ordinals_in("Who led the delegation?"), "The second round was short.")
        == 0
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the 1994 Budapest Memorandum say?", [(1994, "in")]),
        ("the first direct talks since 2022", [(2022, "since")]),
        ("переговоры с 2022 года", [(2022, "since")]),
        ("що було до 2025 року", [(2025, "before")]),
        ("Who led the talks in May 2025?", [(2025, "in")]),
        ("How many prisoners were exchanged?", []),
    ],
)
def test_years_are_read_with_how_they_are_used(
    question: str, expected: list[tuple[int, str]]
) -> None:
    assert years_named(question) == expected


@pytest.mark.parametrize(
    ("question", "outside"),
    [
        ("What did the 1994 Budapest Memorandum say?", True),
        ("what was agreed at the peace talks in january 2026?", True),
        ("Що вирішили на переговорах у Білорусі наприкінці лютого 2022 року?", True),
        ("Where did the first direct talks since 2022 take place?", False),
        ("Who led the talks in May, the first since 2022?", False),
        ("What happened before 2026?", False),
        ("Who led the Russian delegation?", False),
    ],
)
def test_questions_about_times_outside_the_library_are_recognised(
    question: str, outside: bool
) -> None:
    oldest, newest = date(2025, 2, 18), date(2025, 11, 24)
    period = named_period(question, newest)
    assert outside_coverage(question, period, oldest, newest) is outside


def test_a_question_about_now_may_name_earlier_years_as_background() -> None:
    oldest, newest = date(2025, 2, 18), date(2025, 11, 24)
    question = "The war began in 2022; where do the peace talks stand now?"
    assert outside_coverage(question, None, oldest, newest, asks_about_now=True) is False
    assert outside_coverage(question, None, oldest, newest) is True
    later = "What is the latest on the talks in 2027?"
    assert outside_coverage(later, None, oldest, newest, asks_about_now=True) is True


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("What's the latest on the talks?", True),
        ("Какой последний обмен пленными согласовали?", True),
        ("Коли була остання зустріч делегацій?", True),
        # "The last, third day of the swap" is one event of a series, not "the latest".
        ("Сколько человек обменяли в последний, третий день обмена?", False),
        ("Що вирішили на останньому, другому раунді?", False),
        ("What is the latest on the second round?", True),
        ("Who led the Russian delegation?", False),
    ],
)
def test_status_questions_are_told_from_the_last_of_a_series(question: str, status: bool) -> None:
    assert is_status_question(question) is status
