"""Run `negobot` with the fake embedder registered: `python -m tests.support.cli_with_fake ARGS`.

NEGOBOT_FAKE_DIGEST_POLL_SECONDS, when set, makes a served bot look for due digests that often
(instead of once a minute), so that a test sees its timed digest job at work within seconds.
"""

from __future__ import annotations

import os
from dataclasses import replace

from bot.cli import main
from tests.support.embedders import register_fake


def poll_digests_often() -> None:
    seconds = os.environ.get("NEGOBOT_FAKE_DIGEST_POLL_SECONDS")
    if seconds:
        from bot.telegram import digest

        digest.ALERT_TUNING = replace(digest.ALERT_TUNING, digest_poll_seconds=float(seconds))


if __name__ == "__main__":
    register_fake()
    poll_digests_often()
    main()
