"""/digest in process against the emulator's logic: the replies and the stored setting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.logstore.crud import digests as crud
from tests.botapi_emulator import FakeUser, group_chat
from tests.support.telegram_app import BotUnderTest, make_bot

ANNA = FakeUser(501, "Anna", "en")
OLENA = FakeUser(502, "Олена", "uk")
BOSS = FakeUser(503, "Boss", "en")
MEMBER = FakeUser(504, "Member", "en")
GROUP = group_chat(-1005, "Desk")
ADMINS_ONLY = "In a group, only its administrators can change what it follows."
FOLLOWS_NOTHING = "This chat follows nothing yet: /follow for every negotiation."


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    under_test = await make_bot(database_url=f"sqlite:///{tmp_path / 'log.db'}")
    yield under_test
    under_test.deps.alerts().close()
    await under_test.app.shutdown()


def stored(bot: BotUnderTest, chat_id: int) -> tuple[int, str] | None:
    """The chat's digest setting as (minute of the day, language); None when it is off."""
    setting = bot.deps.alerts_call(crud.digest_of, chat_id=chat_id)
    return None if setting is None else (setting.minute, setting.language)


async def test_no_argument_tells_whether_the_digest_is_on_and_when(bot: BotUnderTest) -> None:
    off = await bot.reply(ANNA, "/digest")
    assert off.startswith("Daily digest: off. Alerts come as reports arrive.")
    assert "(at 08:00 UTC unless you name a time)" in off
    await bot.say(ANNA, "/digest on 07:30")
    on = await bot.reply(ANNA, "/digest")
    assert on.startswith("Daily digest: on, at 07:30 UTC.")
    assert stored(bot, ANNA.id) == (7 * 60 + 30, "en")


async def test_on_takes_the_default_time_or_the_one_named(bot: BotUnderTest) -> None:
    await bot.say(ANNA, "/follow")
    on = await bot.reply(ANNA, "/digest on")
    assert on == (
        "Daily digest on: at 08:00 UTC this chat gets one message with what is new on what it "
        "follows, instead of an alert per report. /digest off turns it off."
    )
    assert stored(bot, ANNA.id) == (8 * 60, "en")
    moved = await bot.reply(ANNA, "/digest ON 7:30")
    assert moved.startswith("Daily digest on: at 07:30 UTC")
    assert FOLLOWS_NOTHING not in moved
    assert stored(bot, ANNA.id) == (7 * 60 + 30, "en")


async def test_the_default_time_comes_from_the_settings(tmp_path: Path) -> None:
    under_test = await make_bot(
        database_url=f"sqlite:///{tmp_path / 'log.db'}", digest_time="18:45"
    )
    try:
        assert "(at 18:45 UTC unless" in await under_test.reply(ANNA, "/digest")
        assert (await under_test.reply(ANNA, "/digest on")).startswith(
            "Daily digest on: at 18:45 UTC"
        )
        assert stored(under_test, ANNA.id) == (18 * 60 + 45, "en")
    finally:
        under_test.deps.alerts().close()
        await under_test.app.shutdown()


@pytest.mark.parametrize("asked", ["25:00", "soon", "07:60", "7.30", "-1"])
async def test_a_bad_time_is_named_in_one_line_and_changes_nothing(
    bot: BotUnderTest, asked: str
) -> None:
    answer = await bot.reply(ANNA, f"/digest on {asked}")
    assert answer == (
        f"“{asked}” is not a time of day: /digest on HH:MM (UTC, 00:00 to 23:59), "
        "for example /digest on 07:30."
    )
    assert "\n" not in answer
    assert stored(bot, ANNA.id) is None
    # A chat taking the digest keeps its time.
    await bot.say(ANNA, "/digest on 06:15")
    assert (await bot.reply(ANNA, f"/digest on {asked}")).startswith(f"“{asked}” is not a time")
    assert stored(bot, ANNA.id) == (6 * 60 + 15, "en")


async def test_a_bad_time_is_named_in_the_chats_language(bot: BotUnderTest) -> None:
    answer = await bot.reply(OLENA, "/digest on Soon")
    assert answer.startswith("«Soon» — не час доби: /digest on ГГ:ХХ")
    assert stored(bot, OLENA.id) is None


@pytest.mark.parametrize("asked", ["/digest sometimes", "/digest off 08:00", "/digest on 7 30"])
async def test_other_arguments_get_the_usage(bot: BotUnderTest, asked: str) -> None:
    await bot.say(ANNA, "/digest on 09:00")
    answer = await bot.reply(ANNA, asked)
    assert answer == (
        "/digest shows the setting; /digest on [HH:MM] (UTC) or /digest off changes it."
    )
    assert stored(bot, ANNA.id) == (9 * 60, "en")


async def test_off_when_on_and_when_already_off(bot: BotUnderTest) -> None:
    await bot.say(ANNA, "/digest on")
    assert stored(bot, ANNA.id) is not None
    assert (await bot.reply(ANNA, "/digest off")) == (
        "Daily digest off: alerts come as reports arrive again."
    )
    assert stored(bot, ANNA.id) is None
    assert (await bot.reply(ANNA, "/digest off")) == (
        "The daily digest was not on: alerts come as reports arrive."
    )
    assert stored(bot, ANNA.id) is None
    assert (await bot.reply(ANNA, "/digest")).startswith("Daily digest: off.")


async def test_a_chat_following_nothing_is_told_so_when_turning_it_on(bot: BotUnderTest) -> None:
    on = (await bot.reply(ANNA, "/digest on 10:00")).splitlines()
    assert on[0].startswith("Daily digest on: at 10:00 UTC")
    assert on[1:] == [FOLLOWS_NOTHING]
    assert stored(bot, ANNA.id) == (10 * 60, "en")
    ukrainian = (await bot.reply(OLENA, "/digest on")).splitlines()
    assert ukrainian[0].startswith("Щоденний дайджест увімкнено: о 08:00 UTC")
    assert ukrainian[1:] == ["Цей чат ще ні за чим не стежить: /follow — за всіма переговорами."]
    assert stored(bot, OLENA.id) == (8 * 60, "uk")


async def test_in_a_group_only_admins_change_the_digest(bot: BotUnderTest) -> None:
    assert (await bot.reply(MEMBER, "/digest on", chat=GROUP)) == ADMINS_ONLY
    assert bot.emulator.events("get_chat_member", GROUP["id"])
    assert stored(bot, GROUP["id"]) is None
    bot.emulator.set_member_status(GROUP["id"], BOSS.id, "administrator")
    assert (await bot.reply(BOSS, "/follow", chat=GROUP)).startswith("This chat now follows")
    on = await bot.reply(BOSS, "/digest on 12:00", chat=GROUP)
    assert on.startswith("Daily digest on: at 12:00 UTC") and FOLLOWS_NOTHING not in on
    assert stored(bot, GROUP["id"]) == (12 * 60, "en")
    # A member may see the setting but neither move nor stop it.
    assert (await bot.reply(MEMBER, "/digest", chat=GROUP)).startswith(
        "Daily digest: on, at 12:00 UTC."
    )
    assert (await bot.reply(MEMBER, "/digest on 13:00", chat=GROUP)) == ADMINS_ONLY
    assert (await bot.reply(MEMBER, "/digest off", chat=GROUP)) == ADMINS_ONLY
    assert stored(bot, GROUP["id"]) == (12 * 60, "en")
    bot.emulator.set_member_status(GROUP["id"], MEMBER.id, "creator")
    assert (await bot.reply(MEMBER, "/digest off", chat=GROUP)).startswith("Daily digest off")
    assert stored(bot, GROUP["id"]) is None
