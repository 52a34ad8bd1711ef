"""The database goes away and comes back: answering goes on, and every record lands once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.logstore import LogStore, LogStoreUnavailable
from bot.logstore.database import make_engine
from tests.support.logstore import TcpProxy, count_rows, empty_postgres, log_kwargs, make_answer

SECRET = "outage-secret"


def log_during_outage(store: LogStore, count: int) -> list[str]:
    """Log answers (each with feedback) while the database is down; each call must be quick."""
    uids = []
    for number in range(count):
        started = time.perf_counter()
        uid = store.log_answer(make_answer(f"during outage {number}?"), **log_kwargs())
        store.log_feedback(uid, "not_helpful", user_id=number)
        assert time.perf_counter() - started < 0.2
        uids.append(uid)
    return uids


def assert_each_uid_once(url: str, uids: list[str]) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            stored = [row[0] for row in connection.exec_driver_sql("SELECT uid FROM answer_log")]
    finally:
        engine.dispose()
    assert sorted(stored) == sorted(uids)


def test_sqlite_outage_spools_and_replays_in_order(tmp_path: Path) -> None:
    database_dir = tmp_path / "db"
    url = f"sqlite:///{database_dir / 'log.db'}"
    spool = tmp_path / "spool" / "log-spool.jsonl"
    store = LogStore(url, user_key_secret=SECRET, spool_path=spool)
    try:
        before = [store.log_answer(make_answer("before?"), **log_kwargs())]
        assert store.flush(timeout=10)

        # As root chmod does not stop writes, so the database's folder goes away instead.
        away = tmp_path / "db-away"
        database_dir.rename(away)
        during = log_during_outage(store, 5)
        assert store.flush(timeout=1.0) is False
        assert store.pending_count == 10
        assert spool.exists()
        assert len(spool.read_text().splitlines()) == 10
        with pytest.raises(LogStoreUnavailable):
            store.stats(since=datetime(2000, 1, 1, tzinfo=UTC))

        away.rename(database_dir)
        assert store.flush(timeout=15)
        assert store.pending_count == 0
        assert not spool.exists()
        assert_each_uid_once(url, before + during)
        assert count_rows(url, "feedback") == 5
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_outage_spools_and_replays(postgres_url: str, tmp_path: Path) -> None:
    empty_postgres(postgres_url)
    direct = make_url(postgres_url)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
    proxy.start()
    proxied_url = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False
    )
    spool = tmp_path / "spool.jsonl"
    store = LogStore(proxied_url, user_key_secret=SECRET, spool_path=spool)
    try:
        before = [store.log_answer(make_answer("before?"), **log_kwargs()) for _ in range(3)]
        assert store.flush(timeout=10)

        proxy.stop()
        during = log_during_outage(store, 6)
        assert store.flush(timeout=1.0) is False
        assert store.pending_count == 12
        assert len(spool.read_text().splitlines()) == 12
        # The bot keeps serving the last known corrections while the database is away.
        assert store.approved_corrections() == []

        proxy.start()
        assert store.flush(timeout=20)
        assert not spool.exists()
        assert_each_uid_once(postgres_url, before + during)
        assert count_rows(postgres_url, "feedback") == 6
    finally:
        store.close()
        proxy.stop()


@pytest.mark.postgres
def test_postgres_down_at_start_up(postgres_url: str, tmp_path: Path) -> None:
    empty_postgres(postgres_url)
    direct = make_url(postgres_url)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
    proxied_url = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False
    )
    store = LogStore(proxied_url, user_key_secret=SECRET, spool_path=tmp_path / "spool.jsonl")
    try:
        uids = log_during_outage(store, 2)
        assert store.flush(timeout=0.5) is False
        proxy.start()
        assert store.flush(timeout=20)
        assert_each_uid_once(postgres_url, uids)
    finally:
        store.close()
        proxy.stop()


def test_records_logged_after_close_wait_in_the_spool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    spool = tmp_path / "spool.jsonl"
    store = LogStore(url, user_key_secret=SECRET, spool_path=spool)
    store.close()
    uid = store.log_answer(make_answer("late?"), **log_kwargs())
    assert uid in spool.read_text()
    reopened = LogStore(url, user_key_secret=SECRET, spool_path=spool)
    try:
        assert reopened.flush(timeout=10)
        assert_each_uid_once(url, [uid])
    finally:
        reopened.close()
