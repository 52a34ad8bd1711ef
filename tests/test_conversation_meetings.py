"""Asked alone and naming no talks, a question found in two meetings' reports is asked which."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.answers.answer_types import Answer
from bot.conversation import ConversationMemory, answer_understood, remember, understand
from bot.conversation.anchors import names_which_talks
from bot.conversation.meetings import spans_meetings
from bot.conversation.memory import Turn


def _row(article: str, published: str, cosine: float) -> dict[str, object]:
    return {"article_id": article, "published": published, "cosine": cosine}


TWO_EXCHANGES = [
    _row("may-exchange", "2025-05-25", 0.861),
    _row("june-bodies", "2025-06-16", 0.855),
    _row("may-exchange", "2025-05-25", 0.85),
]
ONE_MEETING = [
    _row("istanbul-may16", "2025-05-16", 0.86),
    _row("istanbul-may16-reaction", "2025-05-17", 0.859),
    _row("istanbul-may16", "2025-05-16", 0.85),
]
ONE_CLEAR_LEADER = [
    _row("riyadh-feb18", "2025-02-18", 0.89),
    _row("jeddah-mar11", "2025-03-11", 0.84),
]
# Ranked second by keywords and fusion, but matching far better by meaning: not a close call.
FAR_BETTER_SECOND = [
    _row("jeddah-mar11", "2025-03-11", 0.82),
    _row("white-house-aug19", "2025-08-19", 0.85),
]


def test_close_passages_from_reports_weeks_apart_span_two_meetings() -> None:
    assert spans_meetings(TWO_EXCHANGES)


def test_reports_of_one_meeting_a_day_apart_do_not() -> None:
    assert not spans_meetings(ONE_MEETING)


def test_a_clear_leader_does_not() -> None:
    assert not spans_meetings(ONE_CLEAR_LEADER)
    assert not spans_meetings(FAR_BETTER_SECOND)


def test_one_passage_or_none_does_not() -> None:
    assert not spans_meetings(TWO_EXCHANGES[:1])
    assert not spans_meetings([])


class _Finding:
    """Answers every question from the given passages, as the Answerer would log them."""

    def __init__(self, rows: list[dict[str, object]], *, abstained: bool = False) -> None:
        self.rows = rows
        self.abstained = abstained
        self.asked: list[str] = []

    def answer(self, question: str, **_: object) -> Answer:
        self.asked.append(question)
        return Answer(
            question=question,
            text="1,000 for 1,000 [1]",
            language="en",
            abstained=self.abstained,
            retrieved=list(self.rows),
        )


def _ask(question: str, rows: list[dict[str, object]], **kwargs: bool) -> Answer:
    understood = understand(question, None, None)
    return answer_understood(_Finding(rows, **kwargs), understood, "en", track=None)  # type: ignore[arg-type]


def test_alone_a_question_naming_no_talks_found_in_two_meetings_is_asked_which() -> None:
    answer = _ask("how many prisoners were to be exchanged?", TWO_EXCHANGES)
    assert answer.abstained and answer.mode == "which_talks"
    assert answer.abstain_reason == "incomplete"
    assert answer.text.startswith("Which talks do you mean?")


def test_alone_one_meeting_found_is_answered() -> None:
    answer = _ask("how many prisoners were to be exchanged?", ONE_MEETING)
    assert not answer.abstained and answer.text.startswith("1,000")


def _answered_and_not_asked(question: str, rows: Sequence[dict[str, object]]) -> bool:
    answer = _ask(question, list(rows))
    return answer.mode != "which_talks"


def test_a_question_naming_its_talks_or_about_now_is_answered_whatever_is_found() -> None:
    assert _answered_and_not_asked("how many prisoners were exchanged in Istanbul?", TWO_EXCHANGES)
    assert _answered_and_not_asked("how many prisoners were exchanged on 25 May?", TWO_EXCHANGES)
    assert _answered_and_not_asked("what's the latest?", TWO_EXCHANGES)


def test_a_declined_question_stays_declined() -> None:
    answer = _ask("how many prisoners were to be exchanged?", TWO_EXCHANGES, abstained=True)
    assert answer.abstained and answer.mode != "which_talks"


def test_with_context_the_question_leans_on_it_and_is_not_asked_which() -> None:
    memory = ConversationMemory(turns=5)
    key = ("chat", 1)
    subject = "What was agreed in Istanbul on 16 May 2025?"
    memory.remember(key, Turn(subject, subject, subject, ("istanbul-may16",), True))
    understood = understand("how many prisoners were to be exchanged?", memory, key)
    answer = answer_understood(_Finding(TWO_EXCHANGES), understood, "en", track=None)  # type: ignore[arg-type]
    assert answer.mode != "which_talks" and not answer.abstained


def test_a_question_asked_which_talks_is_not_remembered() -> None:
    memory = ConversationMemory(turns=5)
    understood = understand("how many prisoners were to be exchanged?", None, None)
    answer = answer_understood(_Finding(TWO_EXCHANGES), understood, "en", track=None)  # type: ignore[arg-type]
    remember(memory, ("chat", 1), understood, answer)
    assert memory.recent(("chat", 1)) == []


@pytest.mark.parametrize(
    "question",
    [
        "who did Putin meet when he announced the Easter truce?",
        "з ким зустрічався Путін, коли оголосив великодне перемир'я?",
        "С кем Путин встречался, когда объявил пасхальное перемирие?",
    ],
)
def test_alone_a_longer_question_about_someone_is_answered_from_what_matches(
    question: str,
) -> None:
    assert _answered_and_not_asked(question, TWO_EXCHANGES)


@pytest.mark.parametrize(
    "question",
    [
        "what did Zelensky call the document?",
        "що сказав Зеленський про російський документ?",
        "что Путин сказал о новой встрече?",
    ],
)
def test_alone_a_short_question_about_someone_found_in_two_meetings_is_asked_which(
    question: str,
) -> None:
    assert _ask(question, TWO_EXCHANGES).mode == "which_talks"
    assert _answered_and_not_asked(question, ONE_MEETING)


@pytest.mark.parametrize(
    "question",
    [
        "what did the July talks agree?",
        "про що домовилися на липневих переговорах?",
        "о чём договорились на июльских переговорах?",
    ],
)
def test_a_month_or_its_adjective_says_which_talks(question: str) -> None:
    assert names_which_talks(question)
    assert _answered_and_not_asked(question, TWO_EXCHANGES)
