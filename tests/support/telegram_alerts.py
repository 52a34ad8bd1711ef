"""A bot over the mixed sample library on the emulator, ingests into it, and its alerts."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.botapi_emulator import BotApiEmulator, Event
from tests.support.telegram_bot import REPO, BotProcess, bot_env

MIXED = REPO / "data" / "samples" / "mixed"
ADDED = ("china-united-states", "dr-congo-rwanda")  # the tracks the later reports join


class Library:
    """A bot over a copy of the mixed library, and the means to ingest more into it."""

    def __init__(self, emulator: BotApiEmulator, tmp: Path) -> None:
        self.emulator = emulator
        self.tmp = tmp
        self.articles = tmp / "articles"
        shutil.copytree(MIXED / "articles", self.articles)
        self.env = {
            **bot_env(emulator, tmp),
            "NEGOBOT_ARTICLES_DIR": str(self.articles),
            "NEGOBOT_PROFILE": str(MIXED / "profile.toml"),
        }
        self.ingest()

    def negobot(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run `negobot` (fake embedder) in another process against this library."""
        command = [sys.executable, "-m", "tests.support.cli_with_fake", *arguments]
        done = subprocess.run(
            command, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done

    def ingest(self) -> str:
        return self.negobot("ingest", str(self.articles), "-q").stderr

    def add_later_reports(self) -> str:
        for later in (MIXED / "later").iterdir():
            shutil.copy(later, self.articles)
        return self.ingest()

    def bot(self) -> BotProcess:
        command = [sys.executable, "-m", "tests.support.cli_with_fake", "serve"]
        return BotProcess(command, self.env, self.tmp / "bot.log").start(self.emulator)

    def outbox(self) -> Counter[str]:
        with sqlite3.connect(self.tmp / "negobot.db") as connection:
            rows = connection.execute("SELECT status FROM alert_outbox").fetchall()
        return Counter(status for (status,) in rows)

    def following(self, chat_id: int) -> list[str]:
        with sqlite3.connect(self.tmp / "negobot.db") as connection:
            rows = connection.execute(
                "SELECT track_id FROM subscription WHERE chat_id = ?", (chat_id,)
            ).fetchall()
        return sorted(track for (track,) in rows)


def alerts(emulator: BotApiEmulator, since: int) -> list[Event]:
    """The alerts the bot sent since `since`: messages under an "ask what's new" button."""
    return [event for event in emulator.events("message", since=since) if alert_track(event)]


def alert_track(event: Event) -> str | None:
    rows = (event.payload.get("reply_markup") or {}).get("inline_keyboard", [])
    data = [button.get("callback_data", "") for row in rows for button in row]
    return next((item[3:] for item in data if item.startswith("al:")), None)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)
