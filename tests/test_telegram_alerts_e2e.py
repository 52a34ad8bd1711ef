"""End-to-end on the emulator: following tracks, and the alerts an ingest in another process sends.

`negobot serve` with the real service (fake embedder) over the mixed sample library; a separate
`negobot ingest` adds two later reports, each to its own track, and the running bot delivers
the alerts it queued.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator, Event, FakeUser, group_chat
from tests.support.telegram_alerts import ADDED, Library, alert_track, alerts, wait_until
from tests.support.telegram_bot import ask

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TELEGRAM_PER_SECOND = 30


def most_in_one_second(events: list[Event]) -> int:
    times = sorted(event.at for event in events)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with BotApiEmulator() as emulator:
        yield Library(emulator, tmp_path)


def test_follow_then_an_ingest_sends_one_alert_per_track_and_drops_a_blocked_chat(
    library: Library,
) -> None:
    emulator = library.emulator
    process = library.bot()
    try:
        anna, boris, blocked, idle = (FakeUser(500 + n, f"User {n}", "en") for n in range(4))
        olena = FakeUser(505, "Олена", "uk")
        assert ask(emulator, anna, "/follow").text.startswith("This chat now follows every")
        assert ask(emulator, boris, "/follow trade").text.startswith(
            "This chat now follows US–China trade"
        )
        assert ask(emulator, olena, "/follow конго").text.startswith("Цей чат тепер стежить")
        assert ask(emulator, blocked, "/follow").text.startswith("This chat now follows")
        assert ask(emulator, idle, "/follow gaza").text.startswith("This chat now follows")
        assert ask(emulator, boris, "/following").text.splitlines()[1] == (
            "• US–China trade [china-united-states]"
        )
        group = group_chat(-100500, "Desk")
        member, admin = FakeUser(510, "Member", "en"), FakeUser(511, "Admin", "en")
        refused = ask(emulator, member, "/follow", chat=group).text
        assert refused == "In a group, only its administrators can change what it follows."
        emulator.set_member_status(group["id"], admin.id, "administrator")
        assert ask(emulator, admin, "/follow", chat=group).text.startswith("This chat now")
        assert ask(emulator, idle, "/unfollow gaza").text.startswith("This chat no longer")
        emulator.block(blocked.id)

        mark = emulator.mark()
        assert "alerts queued: 8" in library.add_later_reports()  # two for the blocked chat
        expected = {
            (anna.id, ADDED[0]), (anna.id, ADDED[1]), (boris.id, ADDED[0]),
            (olena.id, ADDED[1]), (group["id"], ADDED[0]), (group["id"], ADDED[1]),
        }  # fmt: skip
        emulator.wait_for("refused", blocked.id, since=mark, timeout=60)
        emulator.wait_for("message", since=mark, count=6, timeout=60, where=alert_track)
        got = alerts(emulator, mark)
        assert sorted((event.chat_id, alert_track(event)) for event in got) == sorted(expected)
        congo = next(event for event in got if event.chat_id == olena.id)
        assert congo.text.startswith("🔔 Нове: ДР Конго – Руанда, станом на 4 грудня 2025:")
        assert "[1]" in congo.text and "Tshisekedi and Kagame sign Washington accords" in congo.text
        assert library.following(blocked.id) == []
        wait_until(lambda: library.outbox() == {"sent": 6, "dropped": 2})

        # The button under an alert asks what is new on its track.
        trade = next(event for event in got if event.chat_id == boris.id)
        press = emulator.mark()
        emulator.press_button(boris, trade.message, "al:china-united-states")
        answer = emulator.wait_for_reply(boris.id, since=press, timeout=30)
        assert answer.text.startswith("As of 30 October 2025:")
        assert "Sources" in answer.text
    finally:
        assert process.stop() == 0, process.log()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_two_hundred_followers_get_one_alert_per_track_across_a_restart(library: Library) -> None:
    emulator = library.emulator
    process = library.bot()
    commands = ["/follow", f"/follow {ADDED[0]}", f"/follow {ADDED[1]}", "/follow gaza", "/start"]
    tracks = [set(ADDED), {ADDED[0]}, {ADDED[1]}, set(), set()]
    readers = [FakeUser(10_000 + number, f"Reader {number}", "en") for number in range(200)]
    mark = emulator.mark()
    for number, reader in enumerate(readers):
        emulator.send_text(reader, commands[number % 5])
    emulator.wait_for("message", since=mark, count=len(readers), timeout=180)
    expected = sorted(
        (reader.id, track) for number, reader in enumerate(readers) for track in tracks[number % 5]
    )
    assert len(expected) == 160

    mark = emulator.mark()
    assert f"alerts queued: {len(expected)}" in library.add_later_reports()
    emulator.wait_for("message", since=mark, count=40, timeout=120, where=alert_track)
    assert process.stop(timeout=90) == 0, process.log()  # a busy machine stops slowly
    before_restart = len(alerts(emulator, mark))
    # A stopping bot finished the alert in flight and handed back the ones it had claimed.
    assert library.outbox() == {"sent": before_restart, "pending": len(expected) - before_restart}
    assert 40 <= before_restart < len(expected)

    process = library.bot()
    try:
        emulator.wait_for(
            "message", since=mark, count=len(expected), timeout=180, where=alert_track
        )
        wait_until(lambda: library.outbox() == {"sent": len(expected)})
        time.sleep(6)  # a poll of the outbox later, still nothing more
        got = alerts(emulator, mark)
        assert sorted((event.chat_id, alert_track(event)) for event in got) == expected
        busiest = most_in_one_second(got)
        print(f"alerts before the restart: {before_restart}; the busiest second: {busiest}")
        assert busiest <= TELEGRAM_PER_SECOND
    finally:
        assert process.stop() == 0, process.log()
