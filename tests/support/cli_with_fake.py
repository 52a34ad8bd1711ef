"""Run `negobot` with the fake embedder registered: `python -m tests.support.cli_with_fake ARGS`."""

from __future__ import annotations

from bot.cli import main
from tests.support.embedders import register_fake

if __name__ == "__main__":
    register_fake()
    main()
