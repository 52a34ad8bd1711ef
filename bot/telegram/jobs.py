"""Repeating jobs of the running bot: one way to put them on the JobQueue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram.ext import Application, Job

log = logging.getLogger(__name__)


def run_every(
    application: Application,
    job: Callable[[Any], Coroutine[Any, Any, None]],
    *,
    name: str,
    interval: float,
    first: float,
) -> Job | None:
    """Run `job` every `interval` seconds, never two at once; None (logged) without a JobQueue."""
    job_queue = application.job_queue
    if job_queue is None:
        log.warning("%s are not sent: no JobQueue (install python-telegram-bot[job-queue])", name)
        return None
    return job_queue.run_repeating(
        job,
        interval=interval,
        first=first,
        name=name,
        # A slow round (a database outage, a big batch) is not run twice at once nor made up.
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
