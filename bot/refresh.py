"""Keep the library current: re-read the configured feeds on a schedule and swap the index in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot import metrics
from bot.alerts.queueing import queue_ingest_alerts
from bot.config import Settings
from bot.ingesting import chunking_from
from bot.profile import active_profile
from index.documents import Article, LoadProblem
from index.embedders.base import Embedder
from index.fetch import Fetcher, FetchOptions, is_url, load_sources
from index.ingest import IngestReport, ingest_articles
from index.store import IndexStoreError, index_write_lock, load_snapshot

if TYPE_CHECKING:
    from telegram.ext import Application, Job

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
FIRST_REFRESH_SECONDS = 30  # let the bot finish starting before the first network round
REFRESHER_KEY = "feed_refresher"


class RefreshableService(Protocol):
    """What the refresher needs from the service: its embedder and a way to swap indexes."""

    embedder: Embedder

    def reload_index(self) -> bool: ...


@dataclass
class SourceFailure:
    """A source that failed: why, how many times in a row, and when to try it again."""

    reason: str
    failures: int
    next_retry: datetime


@dataclass
class RefreshResult:
    """What one refresh round did."""

    report: IngestReport | None = None
    attempted: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # backing off, not tried this round
    failed: dict[str, str] = field(default_factory=dict)  # source -> one-line reason
    reloaded: bool = False  # the service now serves the generation this round wrote
    error: str | None = None


class FeedRefresher:
    """Ingest new articles from the configured feeds, backing off per failing source."""

    def __init__(
        self,
        settings: Settings,
        service: RefreshableService,
        *,
        fetch_options: FetchOptions | None = None,
        base_backoff: timedelta | None = None,
        max_backoff: timedelta = MAX_BACKOFF,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.service = service
        self.fetch_options = fetch_options or FetchOptions()
        # Retrying sooner than the next scheduled round is impossible anyway.
        self.base_backoff = base_backoff or timedelta(minutes=settings.feed_refresh_minutes)
        self.max_backoff = max_backoff
        self.clock = clock
        self.failures: dict[str, SourceFailure] = {}

    def due(self, source: str, now: datetime) -> bool:
        """Return whether a source may be tried now (never failed, or its backoff is over)."""
        failure = self.failures.get(source)
        return failure is None or failure.next_retry <= now

    def refresh(self) -> RefreshResult:
        """Run one round: fetch due sources, ingest what is new, reload; never raises."""
        result = RefreshResult()
        try:
            self._refresh(result)
        except Exception as error:  # the bot must keep answering whatever a round hits
            result.error = f"{type(error).__name__}: {error}"
            log.exception("feed refresh failed")
        return result

    def _refresh(self, result: RefreshResult) -> None:
        now = self.clock()
        sources = list(dict.fromkeys(self.settings.feeds))
        result.attempted = [source for source in sources if self.due(source, now)]
        result.deferred = [source for source in sources if source not in result.attempted]
        if not result.attempted:
            log.info("feed refresh: nothing due (%d backing off)", len(result.deferred))
            return
        index_dir = self.settings.index_dir
        with index_write_lock(index_dir, wait=False) as locked:
            if not locked:
                result.error = f"another ingest is writing {index_dir}; skipped this round"
                log.info("feed refresh: %s", result.error)
                return
            known_urls = _indexed_urls(index_dir)
            problems: dict[str, list[LoadProblem]] = {source: [] for source in result.attempted}

            def skip_entry(url: str) -> bool:
                return url in known_urls or not self.due(url, now)

            with Fetcher(self.fetch_options) as fetcher:
                items = self._tagged(result.attempted, fetcher, skip_entry, problems)
                report = ingest_articles(
                    items,
                    index_dir=index_dir,
                    embedder=self.service.embedder,
                    chunking=chunking_from(self.settings),
                    tracks=active_profile().tracks,
                )
        result.report = report
        metrics.record_ingest(report)
        queue_ingest_alerts(self.settings, report)
        self._remember(problems, now, result)
        log.info("feed refresh: %s", report.summary())
        if report.changed:
            result.reloaded = self._reload()

    def _tagged(
        self,
        sources: list[str],
        fetcher: Fetcher,
        skip_entry: Callable[[str], bool],
        problems: dict[str, list[LoadProblem]],
    ) -> Iterator[Article | LoadProblem]:
        """Yield every source's items, noting which source each problem came from."""
        for source in sources:
            for item in load_sources([source], fetcher=fetcher, skip_url=skip_entry):
                if isinstance(item, LoadProblem):
                    problems[source].append(item)
                    log.warning("feed source problem: %s", item)
                yield item

    def _remember(
        self, problems: dict[str, list[LoadProblem]], now: datetime, result: RefreshResult
    ) -> None:
        """Back off failing sources and entries exponentially; forget those that recovered."""
        for source, found in problems.items():
            failed_paths = {problem.path: problem.reason for problem in found}
            if source in failed_paths:  # the feed (or file) itself could not be read
                result.failed[source] = failed_paths[source]
            for path, reason in failed_paths.items():
                self._fail(path, reason, now)
            if found:
                metrics.record_feed_failure(source)
            if source not in failed_paths:
                self.failures.pop(source, None)
        # Entries that failed before and were not reported again have recovered or left the feed.
        reported = {problem.path for found in problems.values() for problem in found}
        for path in list(self.failures):
            if path not in reported and path not in self.settings.feeds and self.due(path, now):
                del self.failures[path]

    def _fail(self, path: str, reason: str, now: datetime) -> None:
        previous = self.failures.get(path)
        failures = previous.failures + 1 if previous else 1
        delay = min(self.base_backoff * (2 ** (failures - 1)), self.max_backoff)
        self.failures[path] = SourceFailure(reason, failures, now + delay)

    def _reload(self) -> bool:
        """Make the service serve the new generation (it may have switched on its own already)."""
        try:
            self.service.reload_index()
        except IndexStoreError as error:
            log.warning("feed refresh: new index not loaded: %s", error)
            return False
        return True


def _indexed_urls(index_dir: Path) -> set[str]:
    """Return the article URLs already in the index, so their pages are not fetched again."""
    try:
        snapshot = load_snapshot(index_dir)
    except IndexStoreError as error:
        log.warning("feed refresh: cannot read the current index: %s", error)
        return set()
    if snapshot is None:
        return set()
    return {entry.url for entry in snapshot.articles.values() if entry.url}


def schedule_refresh(application: Application, settings: Settings, service: Any) -> Job | None:
    """Refresh the feeds every feed_refresh_minutes on the bot's JobQueue; None if no feeds."""
    if not settings.feeds:
        return None
    remote = sum(1 for source in settings.feeds if is_url(source))
    job_queue = application.job_queue
    if job_queue is None:
        log.warning("feeds configured but no JobQueue (install python-telegram-bot[job-queue])")
        return None
    refresher = FeedRefresher(settings, service)
    application.bot_data[REFRESHER_KEY] = refresher

    async def refresh_job(context: Any) -> None:
        # Fetching, embedding and writing block for seconds; the bot keeps answering meanwhile.
        await asyncio.to_thread(refresher.refresh)

    log.info(
        "refreshing %d source(s) (%d remote) every %d min",
        len(settings.feeds),
        remote,
        settings.feed_refresh_minutes,
    )
    return job_queue.run_repeating(
        refresh_job,
        interval=settings.feed_refresh_minutes * 60,
        first=FIRST_REFRESH_SECONDS,
        name="feed-refresh",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
