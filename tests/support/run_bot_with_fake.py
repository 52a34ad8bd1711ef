"""Run the real bot application with FakeService, configured from NEGOBOT_* variables.

The end-to-end tests start this as a subprocess against the Bot API emulator. Extra variables:
NEGOBOT_FAKE_FEEDBACK_LOG (a file to which each feedback press is appended as a JSON line) and
NEGOBOT_FAKE_DELAY_MS (simulated inference time per question).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.config import Settings
from bot.telegram.app import run_bot
from tests.support.fake_service import FakeService


def main() -> None:
    """Start polling (or the webhook) until SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    feedback_log = os.environ.get("NEGOBOT_FAKE_FEEDBACK_LOG")
    delay_ms = float(os.environ.get("NEGOBOT_FAKE_DELAY_MS", "0"))
    service = FakeService(
        delay_seconds=delay_ms / 1000, feedback_log=Path(feedback_log) if feedback_log else None
    )
    run_bot(Settings(), service)


if __name__ == "__main__":
    main()
