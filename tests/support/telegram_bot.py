"""A bot process against the Bot API emulator: start, stop, environment and asking."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator, Event, FakeUser

REPO = Path(__file__).resolve().parent.parent.parent
ARTICLES = REPO / "tests" / "data" / "good"
ADMIN_ID = 7
RATE_LIMIT = 3
STARTUP_SECONDS = 90


class BotProcess:
    """A bot subprocess talking to an emulator; its output goes to a log file."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.command = command
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, emulator: BotApiEmulator) -> BotProcess:
        mark = emulator.mark()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        # Ready once the command menus (en, uk, ru) are registered at start-up.
        while len(emulator.events("commands", since=mark)) < 3:
            if self.process.poll() is not None:
                pytest.fail(f"bot exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"bot not ready after {STARTUP_SECONDS} s:\n{self.log()}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 20) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return -9
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def clean_env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEGOBOT_")}
    env.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", **values)
    return env


def bot_env(emulator: BotApiEmulator, tmp: Path, **values: str) -> dict[str, str]:
    return clean_env(
        NEGOBOT_TELEGRAM_TOKEN=emulator.token,
        NEGOBOT_TELEGRAM_BASE_URL=emulator.base_url,
        NEGOBOT_ADMIN_USER_IDS=str(ADMIN_ID),
        NEGOBOT_RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT),
        NEGOBOT_DATABASE_URL=f"sqlite:///{tmp / 'negobot.db'}",
        NEGOBOT_INDEX_DIR=str(tmp / "index"),
        NEGOBOT_ARTICLES_DIR=str(ARTICLES),
        NEGOBOT_EMBEDDING_MODEL="fake",
        NEGOBOT_USER_KEY_SECRET="e2e-test-secret",
        **values,
    )


def fake_bot_command() -> list[str]:
    return [sys.executable, "-m", "tests.support.run_bot_with_fake"]


def ask(emulator: BotApiEmulator, user: FakeUser, message: str, **kwargs: object) -> Event:
    mark = emulator.mark()
    sent = emulator.send_text(user, message, **kwargs)  # type: ignore[arg-type]
    return emulator.wait_for_reply(sent["chat"]["id"], since=mark, timeout=30)


def assert_silent(emulator: BotApiEmulator, chat_id: int, since: int, seconds: float = 1.5) -> None:
    with pytest.raises(TimeoutError):
        emulator.wait_for("message", chat_id, since=since, timeout=seconds)


# --- the real service: `negobot serve` --------------------------------------------------------
