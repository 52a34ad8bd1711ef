"""Follow-up questions: telling them apart, resolving them against the conversation, forgetting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session

from bot.answers.answer_types import Answer, Citation
from bot.answers.preferring import focused, with_preferred
from bot.assistant import Negobot
from bot.config import Settings
from bot.conversation import (
    ConversationMemory,
    Turn,
    conversation_key,
    presented,
    remember,
    understand,
)
from bot.conversation.followups import content_words, is_follow_up, too_short_to_stand_alone
from bot.logstore import crud
from bot.logstore.store import LogStore
from bot.service import QuestionError, checked_question
from index.search import Searcher
from tests.support.embedders import FakeEmbedder


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


FOLLOW_UPS = [
    "And what did Zelensky say?",
    "and the bodies?",
    "And what about the bodies?",
    "when was that?",
    "who proposed it?",
    "did it happen?",
    "а скільки тривала?",
    "А про що там домовилися?",
    "і коли це було?",
    "а что с пленными?",
    "И кто это предложил?",
    "когда это было?",
]
STANDALONE = [
    "What was agreed on prisoners in Istanbul?",
    "Who led the Russian delegation in Istanbul on 16 May?",
    "Хто очолював українську делегацію у Стамбулі?",
    "Кто возглавлял российскую делегацию на переговорах в Стамбуле?",
    "What did the sides agree about a ceasefire in Jeddah?",
]


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_elliptical_and_referring_questions_are_follow_ups(question: str) -> None:
    assert is_follow_up(question)
    # Asked first, none of them says what it is about.
    assert too_short_to_stand_alone(question)


def test_a_few_words_naming_nothing_lean_on_context_but_are_not_refused_alone() -> None:
    for question in ["where was the meeting held?", "как приготовить сырники"]:
        assert is_follow_up(question)
        assert not too_short_to_stand_alone(question)


@pytest.mark.parametrize("question", STANDALONE)
def test_questions_that_name_their_subject_stand_alone(question: str) -> None:
    assert not is_follow_up(question)
    assert not too_short_to_stand_alone(question)


def _answer(question: str, articles: list[str], *, log_id: str, abstained: bool = False) -> Answer:
    sources = [
        Citation(i + 1, f"title {a}", "Wire", date(2025, 5, 16), "", 0.9, "t", a)
        for i, a in enumerate(articles)
    ]
    return Answer(question, "text [1]", "en", abstained, sources=sources, log_id=log_id)


def _turn(memory: ConversationMemory, key, question: str, articles: list[str], log_id: str):  # type: ignore[no-untyped-def]
    understood = understand(question, memory, key)
    remember(memory, key, understood, _answer(understood.query, articles, log_id=log_id))
    return understood


def test_follow_up_carries_the_subject_and_prefers_the_cited_articles() -> None:
    memory = ConversationMemory(clock=Clock())
    key = conversation_key(5, "private", 5)
    first = _turn(
        memory, key, "What was agreed on prisoners in Istanbul?", ["istanbul", "swap"], "a1"
    )
    assert first.resolved is None and first.about is None
    second = _turn(memory, key, "and the bodies?", ["bodies"], "a2")
    # The follow-up's own words lead; the subject's words go along, its question words do not.
    assert second.query == "and the bodies? agreed prisoners Istanbul"
    # Only the article the answer led with: the others were cited for a sentence or two.
    assert second.prefer == ("istanbul",)
    assert second.about == "What was agreed on prisoners in Istanbul?"
    # The third turn points at what the second was about, within the same subject.
    third = understand("when was that?", memory, key)
    assert third.query == "when was that? bodies agreed prisoners Istanbul"
    assert third.prefer == ("bodies",)
    assert third.subject == "What was agreed on prisoners in Istanbul?"


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        ("Скільки тривав перший раунд переговорів у Стамбулі?", "а скільки тривала?"),
        ("Что решили об обмене пленными в Стамбуле 16 мая?", "а что с пленными?"),
        ("Когда прошёл третий раунд переговоров в Стамбуле?", "А о чём там договорились?"),
    ],
)
def test_follow_ups_resolve_in_ukrainian_and_russian(first: str, follow_up: str) -> None:
    memory = ConversationMemory(clock=Clock())
    key = conversation_key(9, "private", 9)
    _turn(memory, key, first, ["r3"], "x1")
    understood = understand(follow_up, memory, key)
    assert understood.query.startswith(f"{follow_up} ")
    assert "Стамбул" in understood.query
    assert understood.prefer == ("r3",) and understood.about == first


def test_a_new_standalone_question_starts_a_new_subject() -> None:
    memory = ConversationMemory(clock=Clock())
    key = conversation_key(5, "private", 5)
    _turn(memory, key, "What was agreed on prisoners in Istanbul?", ["istanbul"], "a1")
    fresh = understand("What did the sides agree about a ceasefire in Jeddah?", memory, key)
    assert fresh.resolved is None and fresh.prefer == () and not fresh.incomplete


def test_conversation_is_forgotten_after_a_quiet_spell_and_then_asks_for_the_whole_question() -> (
    None
):
    clock = Clock()
    memory = ConversationMemory(turns=5, quiet_seconds=30 * 60, clock=clock)
    key = conversation_key(5, "private", 5)
    _turn(memory, key, "What was agreed on prisoners in Istanbul?", ["istanbul"], "a1")
    clock.now += 29 * 60
    assert understand("and the bodies?", memory, key).prefer == ("istanbul",)
    clock.now += 31 * 60
    late = understand("and the bodies?", memory, key)
    assert late.incomplete and late.resolved is None and memory.recent(key) == []


def test_memory_keeps_only_the_last_turns() -> None:
    memory = ConversationMemory(turns=2, clock=Clock())
    key = conversation_key(1, "private", 1)
    for number in range(4):
        memory.remember(key, Turn(f"q{number}", f"q{number}", f"q{number}", (), True))
    assert [turn.question for turn in memory.recent(key)] == ["q2", "q3"]


def test_in_groups_each_member_and_thread_has_its_own_conversation() -> None:
    memory = ConversationMemory(clock=Clock())
    alice = conversation_key(-100, "supergroup", 1)
    bob = conversation_key(-100, "supergroup", 2)
    alice_topic = conversation_key(-100, "supergroup", 1, thread_id=77)
    assert len({alice, bob, alice_topic}) == 3
    assert conversation_key(5, "private", 5) == conversation_key(5, "private", None)
    _turn(memory, alice, "What was agreed on prisoners in Istanbul?", ["istanbul"], "a1")
    assert understand("and the bodies?", memory, alice).prefer == ("istanbul",)
    assert understand("and the bodies?", memory, bob).incomplete
    assert understand("and the bodies?", memory, alice_topic).incomplete


def test_a_reply_uses_the_answer_replied_to_even_from_another_member() -> None:
    memory = ConversationMemory(clock=Clock())
    alice = conversation_key(-100, "group", 1)
    bob = conversation_key(-100, "group", 2)
    _turn(memory, alice, "What was agreed in Istanbul on 16 May?", ["may16"], "answer-1")
    _turn(memory, alice, "Who led the talks in Jeddah?", ["jeddah"], "answer-2")
    # Bob replies under the first answer: a full question, but about what that answer said.
    understood = understand(
        "How many prisoners were actually exchanged?", memory, bob, reply_to="answer-1"
    )
    assert understood.prefer == ("may16",)
    assert understood.query.endswith("agreed Istanbul 16 May")
    # An unknown (forgotten) answer leaves the question on its own.
    alone = understand("How many prisoners were exchanged?", memory, bob, reply_to="gone")
    assert alone.resolved is None


def test_presented_answer_keeps_the_question_as_asked_and_says_what_it_was_about() -> None:
    memory = ConversationMemory(clock=Clock())
    key = conversation_key(5, "private", 5)
    _turn(memory, key, "What was agreed on prisoners in Istanbul?", ["istanbul"], "a1")
    understood = understand("and the bodies?", memory, key)
    answer = presented(_answer(understood.query, ["bodies"], log_id="a2"), understood)
    assert answer.question == "and the bodies?"
    assert answer.resolved_question == understood.query
    assert answer.text.startswith("(about: What was agreed on prisoners in Istanbul?)\n")


def test_status_questions_are_never_incomplete() -> None:
    assert not understand("what's the latest?", None, None).incomplete


@pytest.mark.parametrize("question", ["???", "👍👍", " ?! ", "🙂"])
def test_input_without_words_is_refused_as_empty(question: str) -> None:
    with pytest.raises(QuestionError) as raised:
        checked_question(question, "en", max_chars=500)
    assert raised.value.reason == "empty"
    assert str(raised.value) == "Please ask a question in words."


@pytest.fixture
def service(tmp_path: Path, index_dir: Path, fake_embedder: FakeEmbedder) -> Iterator[Negobot]:
    """The real service over the sample library, with the fake embedder and a SQLite log."""
    settings = Settings(_env_file=None, index_dir=index_dir, embedding_model="fake")
    store = LogStore(f"sqlite:///{tmp_path / 'log.db'}", user_key_secret="test")
    negobot = Negobot(settings, embedder=fake_embedder, log_store=store)
    yield negobot
    negobot.close()


def test_service_answers_a_follow_up_in_context_and_asks_for_the_whole_question_without(
    service: Negobot,
) -> None:
    alone = service.ask("and the bodies?", front_end="chat", conversation=("chat", 1))
    assert alone.abstained and alone.abstain_reason == "incomplete"
    assert alone.text.startswith("Could you ask the whole question? e.g. “")
    first = service.ask(
        "How many prisoners were exchanged in Istanbul?", front_end="chat", conversation=("chat", 1)
    )
    follow_up = service.ask("and the bodies?", front_end="chat", conversation=("chat", 1))
    assert follow_up.question == "and the bodies?"
    assert follow_up.resolved_question == "and the bodies? prisoners exchanged Istanbul"
    assert follow_up.text.startswith("(about: How many prisoners were exchanged in Istanbul?)")
    assert not first.abstained and not follow_up.abstained
    # Another conversation has nothing to lean on.
    other = service.ask("and the bodies?", front_end="chat", conversation=("chat", 2))
    assert other.abstain_reason == "incomplete"


def test_the_log_keeps_the_resolved_question_beside_the_one_asked(service: Negobot) -> None:
    service.ask("How many prisoners were exchanged in Istanbul?", front_end="chat", conversation=1)
    follow_up = service.ask("when was that?", front_end="chat", conversation=1)
    assert service.log_store.flush(timeout=10)
    with Session(service.log_store.engine) as session:
        row = crud.get_answer(session=session, uid=follow_up.log_id or "")
    assert row is not None
    assert row.question == "when was that?"
    assert row.resolved_question == "when was that? prisoners exchanged Istanbul"


def test_preferred_articles_lead_the_ranking_and_the_others_stay(
    index_dir: Path, fake_embedder: FakeEmbedder
) -> None:
    searcher = Searcher.open(index_dir, fake_embedder)
    question = "How many prisoners were exchanged?"
    vector = fake_embedder.encode([question], kind="query")[0]
    hits = searcher.search(question, 8, query_vector=vector)
    others = [hit.chunk.article_id for hit in hits]
    wanted = others[-1]  # the article that ranked last on its own
    fused = with_preferred(searcher, question, vector, hits, [wanted], 4)
    assert fused[0].chunk.article_id == wanted
    assert {hit.chunk.chunk_id for hit in hits} <= {hit.chunk.chunk_id for hit in fused}
    assert with_preferred(searcher, question, vector, hits, [], 4) == hits


def test_sentences_are_picked_for_the_follow_ups_own_words(fake_embedder: FakeEmbedder) -> None:
    vector = fake_embedder.encode(["bodies prisoners Istanbul"], kind="query")[0]
    assert focused(fake_embedder, None, vector) is vector
    picked = focused(fake_embedder, "and the bodies?", vector)
    own = fake_embedder.encode(["and the bodies?"], kind="query")[0]
    assert abs(float(np.linalg.norm(picked)) - 1.0) < 1e-6
    assert float(picked @ own) > float(vector @ own)


@pytest.mark.parametrize(
    ("question", "own"),
    [
        ("and on which terms would it apply?", ["terms", "apply"]),
        ("а яку посаду тоді обіймав Умеров?", ["посаду", "обіймав", "Умеров"]),
        ("а за якої умови воно набуло б чинності?", ["умови", "набуло", "чинності"]),
        ("а о чём договорились?", ["договорились"]),
        ("какую роль играла бы Турция?", ["роль", "играла", "Турция"]),
    ],
)
def test_inflected_question_words_carry_no_subject(question: str, own: list[str]) -> None:
    assert content_words(question) == own


@pytest.mark.parametrize("question", ["and the bodies?", "а тіла?", "а что с телами погибших?"])
def test_a_follow_up_favours_the_article_the_answer_before_led_with(question: str) -> None:
    memory = ConversationMemory(clock=Clock())
    key = conversation_key(7, "private", 7)
    _turn(memory, key, "What was agreed in Istanbul on 16 May?", ["may16", "jul23"], "b1")
    assert understand(question, memory, key).prefer == ("may16",)


@pytest.mark.parametrize(
    "question",
    [
        "what did Trump write the next day?",
        "що сказав Зеленський наступного дня?",
        "что написал Трамп на следующий день?",
    ],
)
def test_a_time_told_from_the_one_before_points_back(question: str) -> None:
    assert is_follow_up(question)
    assert too_short_to_stand_alone(question)


@pytest.mark.parametrize(
    "question",
    [
        "When is the next round of talks?",
        "коли наступний раунд переговорів?",
        "где пройдёт следующая встреча?",
    ],
)
def test_the_next_meeting_from_now_points_at_nothing_said(question: str) -> None:
    assert not too_short_to_stand_alone(question)
