"""End-to-end on the emulator: /status and /sources for a library of several negotiation tracks.

`negobot serve` with the real service (fake embedder) over a copy of the mixed sample library and
its deployment profile; an admin's /reindex adds a later report and /status follows it at once.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator, FakeUser
from tests.support.telegram_bot import ADMIN_ID, REPO, BotProcess, ask, bot_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

MIXED = REPO / "data" / "samples" / "mixed"


@pytest.fixture(scope="module")
def tracks_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotApiEmulator, Path]]:
    tmp = tmp_path_factory.mktemp("tracks_bot")
    articles = tmp / "articles"
    shutil.copytree(MIXED / "articles", articles)
    with BotApiEmulator() as emulator:
        env = {
            **bot_env(emulator, tmp),
            "NEGOBOT_ARTICLES_DIR": str(articles),
            "NEGOBOT_PROFILE": str(MIXED / "profile.toml"),
            "NEGOBOT_RATE_LIMIT_PER_MINUTE": "30",
        }
        ingest = subprocess.run(
            [sys.executable, "-m", "tests.support.cli_with_fake", "ingest", str(articles), "-q"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert ingest.returncode == 0, ingest.stderr
        process = BotProcess(
            [sys.executable, "-m", "tests.support.cli_with_fake", "serve"], env, tmp / "bot.log"
        ).start(emulator)
        yield emulator, articles
        assert process.stop() == 0, process.log()


def test_start_greets_with_the_profiles_description(tracks_bot) -> None:
    emulator, _ = tracks_bot
    greeting = ask(emulator, FakeUser(301, "Ann", "en"), "/start").text
    assert "six 2025 negotiations" in greeting and "Ukraine–Russia peace talks" not in greeting


def test_status_lists_the_tracks_and_gives_one_tracks_latest(tracks_bot) -> None:
    emulator, _ = tracks_bot
    user = FakeUser(302, "Ann", "en")
    lines = ask(emulator, user, "/status").text.splitlines()
    assert lines[0] == "Negotiations in the library (6):"
    assert sum(line.startswith("• ") for line in lines) == 6
    assert any(
        line.startswith("• US–China trade [china-united-states] — 3 reports") for line in lines
    )
    gaza = ask(emulator, user, "/status gaza")
    assert gaza.text.startswith("As of 10 October 2025:")
    assert gaza.text.count("As of") == 1 and "Sources" in gaza.text
    ukrainian = ask(emulator, FakeUser(303, "Олена", "uk"), "/status india-pakistan")
    assert ukrainian.text.startswith("Станом на 10 травня 2025:")
    unknown = ask(emulator, user, "/status atlantis").text
    assert unknown.startswith("No negotiation in the library matches “atlantis”.")


def test_sources_shows_tracks_and_date_ranges(tracks_bot) -> None:
    emulator, _ = tracks_bot
    text = ask(emulator, FakeUser(304, "Ann", "en"), "/sources").text
    assert text.startswith("The library holds 14 articles from 5 outlets")
    assert (
        "• Gaza: Israel – Hamas [hamas-israel] — 2 reports, 19 January 2025 to 10 October 2025"
        in (text.splitlines())
    )


def test_status_follows_a_reindex_that_adds_a_newer_report(tracks_bot) -> None:
    emulator, articles = tracks_bot
    shutil.copy(MIXED / "later" / "2025-12-04-washington-accords.md", articles)
    admin = FakeUser(ADMIN_ID, "Admin", "en")
    mark = emulator.mark()
    emulator.send_text(admin, "/reindex")
    replies = emulator.wait_for("message", admin.id, since=mark, count=2, timeout=120)
    assert "added 1" in replies[-1].text
    lines = ask(emulator, admin, "/status").text.splitlines()
    assert lines[1].startswith(
        "• DR Congo – Rwanda [dr-congo-rwanda] — 3 reports, newest 4 December 2025"
    )
    latest = ask(emulator, admin, "/status dr-congo-rwanda").text
    assert latest.startswith("As of 4 December 2025:")
