"""Inline mode: `@bot question` answered as an article with sources, settled, limited, cached."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Update

from bot.answers.tuning import INLINE_TUNING
from bot.telegram import inline
from tests.botapi_emulator import BotApiEmulator, Event, FakeUser
from tests.support.telegram_app import BotUnderTest, make_bot
from tests.support.telegram_bot import BotProcess, bot_env, fake_bot_command

ANNA = FakeUser(601, "Anna", "en")
OLENA = FakeUser(602, "Олена", "uk")


@pytest.fixture
async def bot(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotUnderTest]:
    monkeypatch.setattr(inline, "INLINE_TUNING", replace(INLINE_TUNING, settle_seconds=0.2))
    under_test = await make_bot(rate_limit_per_minute=3)
    yield under_test
    await under_test.app.shutdown()


async def feed_together(bot: BotUnderTest) -> list[Event]:
    """Process every pending update at once, as the bot's concurrent updates would."""
    mark = bot.emulator.mark()
    updates = [Update.de_json(data, bot.app.bot) for data in bot.emulator.drain_updates()]
    await asyncio.gather(*(bot.app.process_update(update) for update in updates))
    return bot.emulator.events("inline_answer", since=mark)


async def test_an_inline_question_gets_the_answer_with_sources(bot: BotUnderTest) -> None:
    bot.emulator.send_inline_query(ANNA, "What was agreed in Istanbul?")
    [answered] = await feed_together(bot)
    [result] = answered.payload["results"]
    assert result["type"] == "article" and result["title"] == "What was agreed in Istanbul?"
    assert result["description"].startswith("Delegations met in Istanbul on 16 May 2025 [1].")
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "<b>Sources</b>" in content["message_text"]
    assert "[1] <a href=" in content["message_text"]
    assert answered.payload["cache_time"] == INLINE_TUNING.cache_seconds
    [asked] = bot.service.asked
    assert asked["front_end"] == "inline" and asked["user_id"] == ANNA.id


async def test_only_the_query_typing_stopped_at_is_answered(bot: BotUnderTest) -> None:
    for typed in ("What was", "What was agreed", "What was agreed in Istanbul?"):
        bot.emulator.send_inline_query(ANNA, typed)
    answers = await feed_together(bot)
    assert len(answers) == 1
    assert [asked["question"] for asked in bot.service.asked] == ["What was agreed in Istanbul?"]


async def test_inline_questions_share_the_question_rate_limit(bot: BotUnderTest) -> None:
    answered = []
    for number in range(4):
        bot.emulator.send_inline_query(OLENA, f"Що погодили в Стамбулі {number}?")
        answered += await feed_together(bot)
    assert [len(event.payload["results"]) for event in answered] == [1, 1, 1, 0]
    assert answered[-1].payload["cache_time"] == 0
    assert len(bot.service.asked) == 3


async def test_an_empty_or_wordless_query_gets_no_results(bot: BotUnderTest) -> None:
    for typed in ("", "???"):
        bot.emulator.send_inline_query(ANNA, typed)
        [answered] = await feed_together(bot)
        assert answered.payload["results"] == []
    assert bot.service.asked == []


async def test_where_chats_are_restricted_inline_queries_get_nothing() -> None:
    restricted = await make_bot(allowed_chat_ids=[-5])
    try:
        restricted.emulator.send_inline_query(ANNA, "What was agreed in Istanbul?")
        [answered] = await feed_together(restricted)
        assert answered.payload["results"] == [] and restricted.service.asked == []
    finally:
        await restricted.app.shutdown()


@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_inline_mode_end_to_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with BotApiEmulator() as emulator:
        process = BotProcess(fake_bot_command(), bot_env(emulator, tmp_path), tmp_path / "bot.log")
        process.start(emulator)
        try:
            mark = emulator.mark()
            emulator.send_inline_query(ANNA, "Who met in Istanbul?")
            [answered] = emulator.wait_for("inline_answer", since=mark, timeout=30)
            [result] = answered.payload["results"]
            assert (
                "You asked: Who met in Istanbul?" in result["input_message_content"]["message_text"]
            )
        finally:
            assert process.stop() == 0, process.log()


async def test_an_answer_sent_from_inline_mode_is_not_taken_for_a_question(
    bot: BotUnderTest,
) -> None:
    sent = bot.emulator.send_text(ANNA, "Delegations met in Istanbul on 16 May 2025 [1].")
    sent["via_bot"] = dict(bot.emulator.bot_user)  # the update carries this same message
    assert await bot.feed() == []
    assert bot.service.asked == []
