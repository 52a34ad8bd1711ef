"""Feed refresh: new articles are added, failing sources back off, the index swaps with no gap."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import metrics
from bot.assistant import Negobot
from bot.config import Settings
from bot.refresh import FeedRefresher, schedule_refresh
from index.fetch import FetchOptions
from index.ingest import ingest_articles
from index.search import Searcher
from index.store import current_generation, index_write_lock
from tests.support.embedders import FakeEmbedder
from tests.support.web import FeedServer, Route, article_page, rss_feed

FAST = FetchOptions(timeout_seconds=0.5, max_bytes=64 * 1024, retry_pause_seconds=0.01)
START = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TOPICS = ["prisoner exchanges", "grain corridors", "energy infrastructure", "ceasefire lines"]


class Clock:
    """A settable clock, so backoff can be tested without waiting."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


class IndexHolder:
    """The smallest service a refresher needs: an embedder and a hot-swappable searcher."""

    def __init__(self, index_dir: Path, embedder: FakeEmbedder) -> None:
        self.index_dir = index_dir
        self.embedder = embedder
        self.generation = current_generation(index_dir)
        self.reloads = 0

    def reload_index(self) -> bool:
        generation = current_generation(self.index_dir)
        if generation == self.generation:
            return False
        self.generation = generation
        self.reloads += 1
        return True


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer().start()
    yield running
    running.stop()


def publish_feed(server: FeedServer, count: int, *, path: str = "/feed") -> None:
    """Serve a feed of `count` stories, each with its own article page."""
    items = []
    for number in range(count):
        title = f"Story {number} on {TOPICS[number]}"
        page = f"/story/{number}"
        server.routes[page] = Route(article_page(title, TOPICS[number]))
        items.append((title, page, f"0{number + 1} Jun 2025 09:00:00 GMT"))
    server.routes[path] = Route(rss_feed(server.base, items), "application/rss+xml")


def make_settings(tmp_path: Path, feeds: list[str]) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        index_dir=tmp_path / "index",
        feeds=feeds,
        embedding_model="fake",
        feed_refresh_minutes=60,
        database_url=f"sqlite:///{tmp_path / 'log.db'}",
        user_key_secret="test-secret",
    )


def seeded_index(settings: Settings, embedder: FakeEmbedder, make_articles) -> Path:  # type: ignore[no-untyped-def]
    ingest_articles(make_articles(3), index_dir=settings.index_dir, embedder=embedder)
    generation = current_generation(settings.index_dir)
    assert generation is not None
    return generation


def generations(index_dir: Path) -> list[str]:
    return sorted(path.name for path in index_dir.glob("gen-*"))


def test_refresh_adds_new_articles_then_writes_nothing_when_nothing_is_new(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    embedder = FakeEmbedder()
    settings = make_settings(tmp_path, [server.url("/feed")])
    first = seeded_index(settings, embedder, make_articles)
    holder = IndexHolder(settings.index_dir, embedder)
    refresher = FeedRefresher(settings, holder, fetch_options=FAST)

    publish_feed(server, 2)
    result = refresher.refresh()
    assert result.error is None and result.failed == {}
    assert result.report is not None and result.report.added == 2
    assert result.reloaded and holder.reloads == 1
    second = current_generation(settings.index_dir)
    assert second != first
    searcher = Searcher.open(settings.index_dir, embedder)
    assert len(searcher.snapshot.articles) == 5
    assert searcher.search("grain corridors", 1)[0].chunk.title == "Story 1 on grain corridors"

    publish_feed(server, 3)  # one more story
    result = refresher.refresh()
    assert result.report is not None and result.report.added == 1
    assert server.hits["/story/0"] == 1  # already indexed: its page is not fetched again
    assert server.hits["/story/2"] == 1
    third = current_generation(settings.index_dir)
    assert third != second

    before = generations(settings.index_dir)
    result = refresher.refresh()  # nothing new
    assert result.report is not None and not result.report.changed
    assert not result.reloaded
    assert current_generation(settings.index_dir) == third
    assert generations(settings.index_dir) == before


def test_failing_source_is_retried_only_after_its_backoff(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    embedder = FakeEmbedder()
    good, broken = server.url("/feed"), server.url("/broken")
    settings = make_settings(tmp_path, [good, broken])
    seeded_index(settings, embedder, make_articles)
    clock = Clock()
    refresher = FeedRefresher(
        settings, IndexHolder(settings.index_dir, embedder), fetch_options=FAST, clock=clock
    )
    publish_feed(server, 1)
    server.routes["/broken"] = Route(b"down", "text/plain", status=503)
    counted = metrics.REGISTRY.get_sample_value(
        "negobot_feed_fetch_failures_total", {"source": broken}
    )

    result = refresher.refresh()
    assert result.failed == {broken: "HTTP 503 Service Unavailable"}
    assert result.report is not None and result.report.added == 1  # the good feed still loads
    assert server.hits["/broken"] == 2  # one quick retry inside the run
    failure = refresher.failures[broken]
    assert (failure.failures, failure.next_retry) == (1, START + timedelta(minutes=60))
    assert (
        metrics.REGISTRY.get_sample_value("negobot_feed_fetch_failures_total", {"source": broken})
        == (counted or 0) + 1
    )

    clock.advance(30)
    result = refresher.refresh()
    assert result.deferred == [broken] and result.attempted == [good]
    assert server.hits["/broken"] == 2

    clock.advance(31)  # 61 minutes after the failure
    result = refresher.refresh()
    assert broken in result.attempted and broken in result.failed
    assert server.hits["/broken"] == 4
    failure = refresher.failures[broken]
    assert failure.failures == 2
    assert failure.next_retry == clock.now + timedelta(minutes=120)  # doubled

    clock.advance(119)
    assert refresher.refresh().deferred == [broken]
    clock.advance(1)
    publish_feed(server, 2, path="/broken")  # the source recovers
    result = refresher.refresh()
    assert result.failed == {}
    assert broken not in refresher.failures


def test_failing_entry_page_backs_off_without_blocking_its_feed(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    embedder = FakeEmbedder()
    settings = make_settings(tmp_path, [server.url("/feed")])
    seeded_index(settings, embedder, make_articles)
    clock = Clock()
    refresher = FeedRefresher(
        settings, IndexHolder(settings.index_dir, embedder), fetch_options=FAST, clock=clock
    )
    publish_feed(server, 2)
    server.routes["/story/1"] = Route(b"gone", "text/plain", status=404)

    result = refresher.refresh()
    assert result.failed == {}  # the feed itself is fine
    assert result.report is not None and result.report.added == 1
    assert [problem.path for problem in result.report.problems] == [server.url("/story/1")]
    assert server.url("/story/1") in refresher.failures

    clock.advance(10)
    refresher.refresh()
    assert server.hits["/story/1"] == 1  # backing off

    clock.advance(60)
    server.routes["/story/1"] = Route(article_page("Story 1 on grain corridors", TOPICS[1]))
    result = refresher.refresh()
    assert result.report is not None and result.report.added == 1
    assert server.url("/story/1") not in refresher.failures


def test_refresh_never_raises(tmp_path: Path, server: FeedServer, make_articles) -> None:
    settings = make_settings(tmp_path, [server.url("/feed")])
    seeded_index(settings, FakeEmbedder(), make_articles)
    publish_feed(server, 1)
    # An embedder that does not match the index makes ingest refuse to mix vectors.
    other = FakeEmbedder(dimension=32, name="other")
    result = FeedRefresher(settings, IndexHolder(settings.index_dir, other)).refresh()
    assert result.error is not None and "was built with model 'fake'" in result.error


def test_refresh_skips_a_round_while_another_ingest_writes(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    embedder = FakeEmbedder()
    settings = make_settings(tmp_path, [server.url("/feed")])
    first = seeded_index(settings, embedder, make_articles)
    publish_feed(server, 1)
    refresher = FeedRefresher(settings, IndexHolder(settings.index_dir, embedder))
    with index_write_lock(settings.index_dir) as locked:
        assert locked
        result = refresher.refresh()
    assert result.error is not None and "another ingest" in result.error
    assert server.hits["/feed"] == 0
    assert current_generation(settings.index_dir) == first
    assert refresher.refresh().report.added == 1  # type: ignore[union-attr]


def test_searchers_keep_answering_across_the_swap(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    embedder = FakeEmbedder()
    settings = make_settings(tmp_path, [server.url("/feed")])
    old_generation = seeded_index(settings, embedder, make_articles)
    service = Negobot(settings, embedder=embedder)
    old_searcher = Searcher.open(settings.index_dir, embedder)
    publish_feed(server, 4)

    seen: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_continuously() -> None:
        while not stop.is_set():
            try:
                # A searcher opened from whatever CURRENT names at this instant must be whole.
                generation = current_generation(settings.index_dir)
                fresh = Searcher.open(settings.index_dir, embedder)
                assert fresh.snapshot.directory.name >= (generation.name if generation else "")
                assert fresh.search("talks", 3)
                assert service.searcher().search("talks", 3)
                assert old_searcher.search("talks", 3)  # the old generation still answers
                seen.append(fresh.version)
            except BaseException as error:
                errors.append(error)
                return

    reader = threading.Thread(target=search_continuously)
    reader.start()
    try:
        result = FeedRefresher(settings, service, fetch_options=FAST).refresh()
        # Keep searching a little after the publish, to see the new generation too.
        deadline = len(seen) + 5
        while reader.is_alive() and len(seen) < deadline:
            stop.wait(0.01)
    finally:
        stop.set()
        reader.join()
        service.close()
    assert errors == []
    assert result.report is not None and result.report.added == 4 and result.reloaded
    new_version = result.report.index_version
    assert seen[0] == old_generation.name
    assert seen[-1] == new_version
    assert set(seen) == {old_generation.name, new_version}
    first_new = seen.index(new_version)
    assert all(version == new_version for version in seen[first_new:])  # never back to old
    assert service.searcher().version == new_version
    assert old_searcher.version == old_generation.name
    titles = {hit.chunk.title for hit in service.searcher().search("ceasefire lines", 3)}
    assert "Story 3 on ceasefire lines" in titles
    assert "Story 3 on ceasefire lines" not in {
        hit.chunk.title for hit in old_searcher.search("ceasefire lines", 3)
    }


async def test_schedule_refresh_registers_a_repeating_job(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    from telegram.ext import Application

    embedder = FakeEmbedder()
    settings = make_settings(tmp_path, [server.url("/feed")])
    seeded_index(settings, embedder, make_articles)
    publish_feed(server, 1)
    holder = IndexHolder(settings.index_dir, embedder)
    application = Application.builder().token("123456:TEST").build()

    assert schedule_refresh(application, make_settings(tmp_path, []), holder) is None
    job = schedule_refresh(application, settings, holder)
    assert job is not None and job.name == "feed-refresh"
    assert job.job.trigger.interval == timedelta(minutes=60)
    refresher = application.bot_data["feed_refresher"]
    assert isinstance(refresher, FeedRefresher)
    refresher.fetch_options = FAST
    await job.callback(None)  # runs the round in a worker thread
    assert holder.reloads == 1


def test_a_refresh_that_adds_reports_queues_alerts_for_followers(
    tmp_path: Path, server: FeedServer, make_articles
) -> None:
    from bot.alerts.database import AlertDatabase
    from bot.logstore.alert_models import EVERYTHING
    from bot.logstore.crud import outbox
    from bot.logstore.crud.subscriptions import follow

    embedder = FakeEmbedder()
    settings = make_settings(tmp_path, [server.url("/feed")])
    seeded_index(settings, embedder, make_articles)
    database = AlertDatabase(settings.database_url)
    try:
        with database.session() as session:
            follow(session=session, chat_id=42, track_id=EVERYTHING, language="en")
        refresher = FeedRefresher(settings, IndexHolder(settings.index_dir, embedder))
        publish_feed(server, 2)
        result = refresher.refresh()
        assert result.report is not None and result.report.tracks_added
        with database.session() as session:
            claimed = outbox.claim(session=session, limit=10)
        assert sorted(alert.track_id for alert in claimed) == sorted(result.report.tracks_added)
        assert {alert.chat_id for alert in claimed} == {42}
    finally:
        database.close()
