"""Which talks a question means: anchors, side-only questions, and asking which talks alone."""

from __future__ import annotations

import pytest

from bot.answers.answer_types import Answer
from bot.answers.questions import is_status_question
from bot.conversation import ConversationMemory, Turn, answer_understood, remember, understand
from bot.conversation.anchors import asks_which_talks, names_which_talks
from bot.conversation.followups import is_follow_up

SIDES_ONLY = [
    "who led the Russian side?",
    "who led the Ukrainian team?",
    "what did the Kremlin offer?",
    "скільки полонених обміняла Україна?",
    "хто очолював українську делегацію?",
    "скільки тривала зустріч?",
    "кто возглавлял российскую делегацию?",
    "что предложила Украина?",
]
ANCHORED = [
    "Who led the Russian side in Istanbul?",
    "Who led the Russian delegation on 16 May?",
    "who led the Russian side at the third round?",
    "who led the Russian side in the first talks?",
    "хто очолював делегацію в Женеві?",
    "скільки тривав другий раунд?",
    "що вирішили у травні?",
    "кто возглавлял делегацию в Джидде?",
    "сколько длился последний тур?",
]


@pytest.mark.parametrize("question", SIDES_ONLY)
def test_sides_alone_do_not_say_which_talks(question: str) -> None:
    assert not names_which_talks(question)
    assert asks_which_talks(question)


@pytest.mark.parametrize("question", ANCHORED)
def test_a_place_date_round_or_name_says_which_talks(question: str) -> None:
    assert names_which_talks(question)
    assert not asks_which_talks(question)


@pytest.mark.parametrize(
    "question", ["what is a ceasefire?", "what's the latest?", "що нового?", "что нового?"]
)
def test_questions_about_no_meeting_or_about_now_are_not_asked_which_talks(question: str) -> None:
    assert not asks_which_talks(question)


@pytest.mark.parametrize("question", SIDES_ONLY)
def test_side_only_questions_lean_on_the_conversation(question: str) -> None:
    assert is_follow_up(question)


def test_a_long_follow_up_naming_only_a_side_keeps_its_subject() -> None:
    assert is_follow_up("а скільки тіл готова передати Росія?")
    assert not is_follow_up("а скільки тіл готова передати Росія у Стамбулі?")


def _memory_after(question: str) -> tuple[ConversationMemory, tuple[str, int]]:
    memory = ConversationMemory(turns=5)
    key = ("chat", 1)
    memory.remember(key, Turn(question, question, question, ("istanbul",), True))
    return memory, key


def test_with_context_a_side_only_question_is_read_about_the_subject() -> None:
    memory, key = _memory_after("Who led the US delegation at the Riyadh talks in February 2025?")
    understood = understand("who led the Russian side?", memory, key)
    assert not understood.which_talks and "Riyadh" in understood.query


class _Refusing:
    def answer(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a question asked which talks is not looked up")


@pytest.mark.parametrize(
    ("question", "language", "opening"),
    [
        ("who led the Russian side?", "en", "Which talks do you mean?"),
        ("скільки полонених обміняла Україна?", "uk", "Які саме переговори"),
        ("кто возглавлял российскую делегацию?", "ru", "Какие именно переговоры"),
    ],
)
def test_alone_a_side_only_question_is_asked_which_talks(
    question: str, language: str, opening: str
) -> None:
    understood = understand(question, None, None)
    assert understood.which_talks and not understood.incomplete
    answer = answer_understood(_Refusing(), understood, language, track=None)  # type: ignore[arg-type]
    assert answer.abstained and answer.abstain_reason == "incomplete"
    assert answer.mode == "which_talks" and answer.text.startswith(opening)


def test_a_which_talks_question_is_not_remembered() -> None:
    memory = ConversationMemory(turns=5)
    understood = understand("who led the Russian side?", None, None)
    remember(
        memory,
        ("chat", 1),
        understood,
        Answer(question="q", text="t", language="en", abstained=True),
    )
    assert memory.recent(("chat", 1)) == []


@pytest.mark.parametrize(
    "question", ["а в останній день?", "в последний день", "последний этап", "на останньому етапі"]
)
def test_the_last_day_or_stage_is_no_status_question(question: str) -> None:
    assert not is_status_question(question)


@pytest.mark.parametrize(
    "question", ["what's the latest?", "останні новини?", "последний обмен", "остання зустріч"]
)
def test_the_latest_news_is_still_a_status_question(question: str) -> None:
    assert is_status_question(question)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what did Zelensky propose?", "en"),
        ("як відреагував Зеленський?", "uk"),
        ("что ответил Путин?", "ru"),
    ],
)
def test_alone_what_a_person_said_is_asked_which_talks(question: str, language: str) -> None:
    understood = understand(question, None, None)
    assert understood.which_talks and not understood.incomplete
    answer = answer_understood(_Refusing(), understood, language, track=None)  # type: ignore[arg-type]
    assert answer.mode == "which_talks"


@pytest.mark.parametrize("question", ["who is Medinsky?", "Who is Witkoff?"])
def test_alone_who_a_person_is_is_not_asked_which_talks(question: str) -> None:
    assert not understand(question, None, None).which_talks


@pytest.mark.parametrize(
    "question",
    [
        "and did Russia hand over its own ceasefire document?",
        "а чи передала Росія свій документ про перемир'я?",
        "а передала ли Россия свой документ о перемирии?",
    ],
)
def test_alone_a_long_question_opening_on_something_unsaid_asks_for_the_whole(
    question: str,
) -> None:
    understood = understand(question, None, None)
    assert understood.incomplete and not understood.which_talks


def test_with_context_what_a_person_said_is_read_about_the_subject() -> None:
    memory, key = _memory_after("Who opened the third round in Istanbul in July 2025?")
    understood = understand("what did Medinsky propose?", memory, key)
    assert "Istanbul" in understood.query


@pytest.mark.parametrize(
    "question",
    [
        "what did Lavrov say about peacekeepers?",
        "how many wounded soldiers would Moscow hand over?",
        "чи погодилася Москва на пропозицію Зеленського?",
        "что написал Трамп на следующий день?",
    ],
)
def test_a_long_question_naming_only_people_or_sides_leans_on_the_conversation(
    question: str,
) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "what did Lavrov say about peacekeepers in Alaska?",
        "how many wounded soldiers did the ceasefire agreement cover overall?",
        "чи погодилася Москва на пропозицію Зеленського у Стамбулі?",
        "сколько всего пленных освободили за весь прошлый год?",
    ],
)
def test_a_long_question_naming_its_talks_or_no_one_stands_alone(question: str) -> None:
    assert not is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "what was Moscow's first response?",
        "яка була перша реакція Москви?",
        "какой была первая реакция Москвы?",
    ],
)
def test_an_ordinal_that_qualifies_no_event_says_no_talks(question: str) -> None:
    assert not names_which_talks(question)
    assert understand(question, None, None).which_talks


@pytest.mark.parametrize(
    "question",
    [
        "what was agreed at the first direct talks?",
        "who spoke at the next round?",
        "що вирішили на першій зустрічі?",
        "хто говорив на наступному раунді?",
        "что решили на последнем раунде?",
        "что было на второй встрече?",
    ],
)
def test_an_ordinal_or_next_before_a_meeting_says_which_talks(question: str) -> None:
    assert names_which_talks(question)


@pytest.mark.parametrize(
    "question",
    [
        "when did the first stage of the prisoner exchange take place?",
        "коли відбувся перший етап обміну полоненими?",
        "когда прошёл первый этап обмена пленными?",
    ],
)
def test_the_stage_of_an_unnamed_exchange_leans_on_context_and_alone_asks_which(
    question: str,
) -> None:
    assert not names_which_talks(question)
    assert is_follow_up(question)
    assert understand(question, None, None).which_talks


def test_the_day_of_talks_or_an_exchange_named_says_which() -> None:
    assert names_which_talks("what happened on the second day of the talks?")
    assert names_which_talks("коли відбувся перший етап обміну полоненими у червні?")


@pytest.mark.parametrize(
    "question",
    [
        "How many people did each side release on the first day of the 1000-for-1000 swap?",
        "скільки людей повернули першого дня обміну 1000 на 1000?",
        "Сколько человек обменяли в последний день обмена «1000 на 1000»?",
        "which palace in istanbul hosted the first direct ukraine-russia talks in may?",
    ],
)
def test_a_day_of_an_exchange_named_by_its_number_stands_alone(question: str) -> None:
    assert names_which_talks(question)
    assert not is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "was anything said about prisoners?",
        "що вирішили щодо полонених?",
        "о чём договорились по пленным?",
    ],
)
def test_alone_what_was_said_or_agreed_naming_nothing_is_asked_which_talks(
    question: str,
) -> None:
    understood = understand(question, None, None)
    assert understood.which_talks and not understood.incomplete


@pytest.mark.parametrize(
    "question", ["what is a ceasefire?", "who is Medinsky?", "was anything said in Istanbul?"]
)
def test_what_was_said_somewhere_or_no_talk_at_all_is_not_asked(question: str) -> None:
    assert not understand(question, None, None).which_talks


@pytest.mark.parametrize(
    "question",
    [
        "would Moscow agree to the proposal Zelensky made?",
        "з якої області мала б вийти Україна?",
        "чи погодилася Москва на пропозицію Зеленського?",
        "согласилась ли Москва на предложение Зеленского?",
    ],
)
def test_alone_a_proposal_named_only_by_its_side_is_asked_which_talks(question: str) -> None:
    understood = understand(question, None, None)
    assert understood.which_talks and not understood.incomplete


@pytest.mark.parametrize(
    "question",
    [
        "what did zelensky call russia's memorandum?",
        "чи погодилася Москва на пропозицію Зеленського у Стамбулі?",
        "what did Russia demand in its memorandum of 2 June?",
    ],
)
def test_a_proposal_named_by_its_talks_or_a_document_s_name_is_looked_up(question: str) -> None:
    assert not understand(question, None, None).which_talks


def test_a_treatys_article_number_names_no_talks() -> None:
    assert not names_which_talks("а хто порівнював гарантії зі статтею 5")
    assert not names_which_talks("who compared the guarantees to Article 5?")
    assert is_follow_up("а хто порівнював гарантії зі статтею 5")
    assert names_which_talks("що обговорювали 5 травня?")
