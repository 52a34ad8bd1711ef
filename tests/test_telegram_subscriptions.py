"""/follow, /unfollow, /following and alert delivery, in process against the emulator's logic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.alerts.delivery import AlertSender
from bot.answers.tuning import AlertTuning
from bot.logstore.alert_models import EVERYTHING
from bot.logstore.crud import outbox
from bot.logstore.crud import subscriptions as crud
from tests.botapi_emulator import FakeUser, group_chat
from tests.support.telegram_app import BotUnderTest, make_bot, sent

ANNA = FakeUser(201, "Anna", "en")
OLENA = FakeUser(202, "Олена", "uk")
BOSS = FakeUser(203, "Boss", "en")
MEMBER = FakeUser(204, "Member", "en")
GROUP = group_chat(-1002, "Watchers")
FAST = AlertTuning(per_second=200.0, claim_size=3)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    under_test = await make_bot(database_url=f"sqlite:///{tmp_path / 'log.db'}")
    yield under_test
    under_test.deps.alerts().close()
    await under_test.app.shutdown()


async def test_a_private_chat_follows_and_unfollows(bot: BotUnderTest) -> None:
    assert (await bot.reply(ANNA, "/following")).startswith("This chat follows nothing.")
    assert (await bot.reply(ANNA, "/follow")).startswith("This chat now follows every")
    followed = await bot.reply(ANNA, "/follow hamas")
    assert followed.startswith("This chat now follows Israel – Hamas")
    assert "/unfollow hamas-israel" in followed
    listing = (await bot.reply(ANNA, "/following")).splitlines()
    assert listing == [
        "This chat follows:",
        "• every negotiation",
        "• Israel – Hamas [hamas-israel]",
    ]
    unknown = await bot.reply(ANNA, "/follow atlantis")
    assert unknown.startswith("No negotiation in the library matches “atlantis”.")
    assert "russia-ukraine" in unknown
    assert (await bot.reply(ANNA, "/unfollow hamas-israel")) == (
        "This chat no longer follows Israel – Hamas."
    )
    assert "does not follow" in await bot.reply(ANNA, "/unfollow hamas-israel")
    assert (await bot.reply(ANNA, "/unfollow")) == "This chat no longer follows anything."
    assert bot.deps.alerts_call(crud.following, chat_id=ANNA.id) == []


async def test_the_follow_reply_and_the_alert_language_are_the_followers(
    bot: BotUnderTest,
) -> None:
    assert (await bot.reply(OLENA, "/follow")).startswith("Цей чат тепер стежить")
    followers = bot.deps.alerts_call(crud.followers, track_id="russia-ukraine")
    assert followers == {OLENA.id: "uk"}


async def test_in_a_group_only_admins_change_what_it_follows(bot: BotUnderTest) -> None:
    refused = await bot.reply(MEMBER, "/follow", chat=GROUP)
    assert refused == "In a group, only its administrators can change what it follows."
    assert bot.emulator.events("get_chat_member", GROUP["id"])
    bot.emulator.set_member_status(GROUP["id"], BOSS.id, "administrator")
    assert (await bot.reply(BOSS, "/follow ukraine", chat=GROUP)).startswith(
        "This chat now follows Ukraine – Russia"
    )
    bot.emulator.set_member_status(GROUP["id"], MEMBER.id, "creator")
    assert "no longer" in await bot.reply(MEMBER, "/unfollow russia-ukraine", chat=GROUP)
    # Anyone may see what the group follows.
    bot.emulator.set_member_status(GROUP["id"], MEMBER.id, "member")
    assert (await bot.reply(MEMBER, "/following", chat=GROUP)).startswith("This chat follows")


def _queue(bot: BotUnderTest, track_id: str, chats: dict[int, str]) -> int:
    texts = {"en": f"<b>New on {track_id}</b> [1]", "uk": f"<b>Нове: {track_id}</b> [1]"}
    return bot.deps.alerts_call(
        outbox.queue_batch,
        track_id=track_id,
        reports_key=f"{track_id}-1",
        as_of=date(2025, 12, 4),
        texts=texts,
        chats=chats,
    )


async def test_alerts_go_once_each_and_gone_chats_are_dropped_or_moved(
    bot: BotUnderTest,
) -> None:
    readers = [FakeUser(300 + number, f"Reader {number}", "en") for number in range(5)]
    for user in readers:
        await bot.say(user, "/follow")
    bot.emulator.set_member_status(GROUP["id"], BOSS.id, "creator")
    await bot.say(BOSS, "/follow", chat=GROUP)
    blocked, *others = readers
    bot.emulator.block(blocked.id)
    bot.emulator.migrate_chat(GROUP["id"], -1009)
    chats = bot.deps.alerts_call(crud.followers, track_id="hamas-israel")
    assert len(chats) == 6
    assert _queue(bot, "hamas-israel", chats) == 6
    sender = AlertSender(bot.deps.alerts(), FAST)
    mark = bot.emulator.mark()
    done = await sender.deliver(bot.app.bot, keep_going=lambda: True)
    assert (done.sent, done.dropped, done.moved) == (5, 1, 1)
    messages = bot.emulator.events("message", since=mark)
    assert sorted(event.chat_id for event in messages) == sorted(
        [user.id for user in others] + [-1009]
    )
    assert messages[0].text == "New on hamas-israel [1]"
    button = messages[0].message["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Ask what's new", "callback_data": "al:hamas-israel"}
    assert bot.deps.alerts_call(crud.following, chat_id=blocked.id) == []
    assert bot.deps.alerts_call(crud.following, chat_id=-1009) == [EVERYTHING]
    # Nothing is sent twice, and a chat that blocked the bot gets no later alert.
    assert (await sender.deliver(bot.app.bot, keep_going=lambda: True)).sent == 0
    chats = bot.deps.alerts_call(crud.followers, track_id="russia-ukraine")
    assert blocked.id not in chats and -1009 in chats and GROUP["id"] not in chats


async def test_a_stopping_sender_hands_back_what_it_did_not_send(bot: BotUnderTest) -> None:
    readers = [FakeUser(400 + number, f"Reader {number}", "en") for number in range(7)]
    for user in readers:
        await bot.say(user, "/follow")
    _queue(bot, "russia-ukraine", bot.deps.alerts_call(crud.followers, track_id="russia-ukraine"))
    sender = AlertSender(bot.deps.alerts(), FAST)
    mark = bot.emulator.mark()
    stop_after = iter(range(4, -1, -1))  # keep going for four sends, then stop
    first = await sender.deliver(bot.app.bot, keep_going=lambda: next(stop_after, 0) > 0)
    assert 0 < first.sent < 7
    assert bot.deps.alerts_call(outbox.counts) == {"sent": first.sent, "pending": 7 - first.sent}
    second = await sender.deliver(bot.app.bot, keep_going=lambda: True)
    assert first.sent + second.sent == 7
    chats = [event.chat_id for event in bot.emulator.events("message", since=mark)]
    assert sorted(chats) == sorted(user.id for user in readers)


async def test_the_alert_button_answers_whats_new_on_its_track(bot: BotUnderTest) -> None:
    await bot.say(ANNA, "/follow")
    _queue(bot, "hamas-israel", {ANNA.id: "en"})
    await AlertSender(bot.deps.alerts(), FAST).deliver(bot.app.bot, keep_going=lambda: True)
    [alert] = bot.emulator.bot_messages(ANNA.id)[-1:]
    bot.emulator.press_button(ANNA, alert, "al:hamas-israel")
    events = await bot.feed()
    assert bot.service.status_calls[-1] == "hamas-israel"
    answer = sent(events)[0]
    assert answer.text.startswith("Latest round: Istanbul")
    assert any(event.kind == "callback_answer" for event in events)


async def test_the_pacer_starts_at_most_its_rate_in_any_second() -> None:
    import asyncio
    import time

    from bot.alerts.delivery import Pacer

    pacer = Pacer(25.0)
    started: list[float] = []

    async def one() -> None:
        await pacer.wait()
        started.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(40)))
    started.sort()
    in_a_second = max(sum(1 for t in started if first <= t < first + 1.0) for first in started)
    assert in_a_second <= 26
    assert started[-1] - started[0] >= 39 / 25 - 0.05
