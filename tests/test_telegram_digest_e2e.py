"""End-to-end on the emulator: a chat taking the daily digest gets one message a day, not alerts.

`negobot serve` with the real service (fake embedder) over the mixed sample library; a separate
`negobot ingest` adds two later reports. `negobot digests --now` runs the digest round for the
running bot to send; the bot's own job runs it when a chat's time comes (here polled each second).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator, Event, FakeUser, group_chat
from tests.support.telegram_alerts import ADDED, Library, alert_track, alerts, wait_until
from tests.support.telegram_bot import ask, assert_silent

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

LATE = "23:59"  # a time the bot's own digest job does not reach while the test runs
POLL = 1.0  # seconds between the bot's looks for due digests (60 in service)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    if datetime.now(UTC).strftime("%H:%M") >= "23:50":
        pytest.skip("the digest time chosen here would come while the test runs")
    with BotApiEmulator() as emulator:
        yield Library(emulator, tmp_path)


def digest_messages(emulator: BotApiEmulator, chat_id: int, since: int) -> list[Event]:
    return [event for event in alerts(emulator, since) if event.chat_id == chat_id]


def test_digest_on_then_an_ingest_sends_one_digest_and_no_alerts(library: Library) -> None:
    emulator = library.emulator
    process = library.bot()
    try:
        anna, boris = FakeUser(600, "Anna", "en"), FakeUser(601, "Boris", "en")
        assert ask(emulator, anna, "/follow").text.startswith("This chat now follows every")
        assert ask(emulator, anna, "/digest").text.startswith("Daily digest: off.")
        on = ask(emulator, anna, f"/digest on {LATE}").text
        assert on.startswith(f"Daily digest on: at {LATE} UTC")
        assert ask(emulator, anna, "/digest").text.startswith(f"Daily digest: on, at {LATE} UTC")
        assert ask(emulator, anna, "/digest on 25:00").text.startswith("“25:00” is not a time")
        assert ask(emulator, boris, "/follow").text.startswith("This chat now follows every")
        group = group_chat(-100600, "Desk")
        member = FakeUser(610, "Member", "en")
        refused = ask(emulator, member, "/digest on", chat=group).text
        assert refused == "In a group, only its administrators can change what it follows."

        mark = emulator.mark()
        assert "alerts queued: 2" in library.add_later_reports()  # Boris's; Anna's wait
        emulator.wait_for("message", boris.id, since=mark, count=2, timeout=60, where=alert_track)
        wait_until(lambda: library.outbox() == {"sent": 2})
        assert digest_messages(emulator, anna.id, mark) == []

        assert library.negobot("digests", "--now").stdout.strip() == "digests queued: 1"
        emulator.wait_for("message", anna.id, since=mark, timeout=60, where=alert_track)
        [digest] = digest_messages(emulator, anna.id, mark)
        assert digest.text.startswith("📰 Daily digest, ")
        assert "🔔 New on DR Congo – Rwanda, as of 4 December 2025:" in digest.text
        assert "🔔 New on US–China trade, as of 30 October 2025:" in digest.text
        buttons = digest.payload["reply_markup"]["inline_keyboard"]
        assert [row[0]["callback_data"] for row in buttons] == [f"al:{ADDED[1]}", f"al:{ADDED[0]}"]

        # A second run the same day sends nothing, to Anna or anyone.
        again = emulator.mark()
        assert library.negobot("digests", "--now").stdout.strip() == "digests queued: 0"
        assert_silent(emulator, anna.id, since=again, seconds=7)  # a poll of the outbox later
        assert library.outbox() == {"sent": 3}
        assert ask(emulator, anna, "/digest off").text.startswith("Daily digest off")
    finally:
        assert process.stop() == 0, process.log()


def test_the_bots_own_job_sends_the_digest_when_the_chats_time_comes(library: Library) -> None:
    library.env["NEGOBOT_FAKE_DIGEST_POLL_SECONDS"] = str(POLL)
    emulator = library.emulator
    process = library.bot()
    try:
        anna = FakeUser(620, "Anna", "en")
        assert ask(emulator, anna, "/follow").text.startswith("This chat now follows every")
        assert ask(emulator, anna, f"/digest on {LATE}").text.startswith("Daily digest on")
        mark = emulator.mark()
        library.add_later_reports()
        # The job looks several times; Anna's time has not come, so her news waits.
        assert_silent(emulator, anna.id, since=mark, seconds=4 * POLL)
        assert library.outbox() == {}

        now = datetime.now(UTC).strftime("%H:%M")
        on = ask(emulator, anna, f"/digest on {now}").text
        assert on.startswith(f"Daily digest on: at {now} UTC")
        emulator.wait_for("message", anna.id, since=mark, timeout=60, where=alert_track)
        [digest] = digest_messages(emulator, anna.id, mark)
        assert digest.text.startswith("📰 Daily digest, ")
        assert "🔔 New on DR Congo – Rwanda, as of 4 December 2025:" in digest.text
        assert "🔔 New on US–China trade, as of 30 October 2025:" in digest.text

        # The job keeps looking, but the day's digest is done: nothing more goes out.
        again = emulator.mark()
        assert_silent(emulator, anna.id, since=again, seconds=7)  # a poll of the outbox later
        assert library.outbox() == {"sent": 1}
        assert digest_messages(emulator, anna.id, mark) == [digest]
    finally:
        assert process.stop() == 0, process.log()
