"""Repeating jobs: put on the JobQueue once, never two at once; said plainly when there is none."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.telegram.jobs import run_every


class _Queue:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run_repeating(self, job: Any, **kwargs: Any) -> str:
        self.calls.append({"job": job, **kwargs})
        return "job"


class _Application:
    def __init__(self, job_queue: _Queue | None) -> None:
        self.job_queue = job_queue


async def _tick(context: Any) -> None:
    return None


def test_a_job_runs_every_interval_one_at_a_time() -> None:
    queue = _Queue()
    job = run_every(_Application(queue), _tick, name="digests", interval=60, first=60)  # type: ignore[arg-type]
    assert job == "job"
    (call,) = queue.calls
    assert call["job"] is _tick and call["interval"] == 60 and call["first"] == 60
    assert call["name"] == "digests"
    assert call["job_kwargs"] == {"max_instances": 1, "coalesce": True}


def test_without_a_job_queue_nothing_runs_and_the_log_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        job = run_every(_Application(None), _tick, name="alerts", interval=2, first=1)  # type: ignore[arg-type]
    assert job is None
    assert "alerts are not sent: no JobQueue" in caplog.text
