"""Alerts queued by an ingest: one per follower chat per track that got reports, composed right."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.alerts.compose import drafts_for
from bot.alerts.database import AlertDatabase
from bot.alerts.queueing import queue_ingest_alerts
from bot.config import Settings
from bot.ingesting import run_ingest
from bot.logstore.alert_models import EVERYTHING
from bot.logstore.crud import outbox
from bot.logstore.crud import subscriptions as crud
from bot.profile import DEFAULT_PROFILE, activate, load_profile
from index.store import load_snapshot
from tests.support.alerts import LATER, MIXED, mixed_library
from tests.support.embedders import FakeEmbedder


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    """The mixed library indexed with the fake embedder; the log database not created yet."""
    yield mixed_library(tmp_path, f"sqlite:///{tmp_path / 'db' / 'log.db'}")
    activate(load_profile(DEFAULT_PROFILE))


def test_without_a_log_database_nothing_is_queued_or_created(library) -> None:
    settings, articles = library
    for later in (MIXED / "later").iterdir():
        shutil.copy(later, articles)
    report = run_ingest(settings, [str(articles)], embedder=FakeEmbedder(), queue_alerts=False)
    assert set(report.tracks_added) == LATER
    assert queue_ingest_alerts(settings, report).total == 0
    assert not (settings.index_dir.parent / "db").exists()


def test_an_ingest_queues_one_alert_per_follower_of_each_track_it_added_to(library) -> None:
    settings, articles = library
    database = AlertDatabase(settings.database_url)
    try:
        with database.session() as session:
            crud.follow(session=session, chat_id=1, track_id=EVERYTHING, language="en")
            crud.follow(session=session, chat_id=1, track_id="dr-congo-rwanda", language="uk")
            crud.follow(session=session, chat_id=2, track_id="china-united-states", language="ru")
            crud.follow(session=session, chat_id=3, track_id="hamas-israel", language="en")
        for later in (MIXED / "later").iterdir():
            shutil.copy(later, articles)
        report = run_ingest(settings, [str(articles)], embedder=FakeEmbedder())
        assert set(report.tracks_added) == LATER
        with database.session() as session:
            claimed = outbox.claim(session=session, limit=100)
        got = sorted((alert.chat_id, alert.track_id, alert.language) for alert in claimed)
        assert got == [
            (1, "china-united-states", "en"),
            (1, "dr-congo-rwanda", "uk"),
            (2, "china-united-states", "ru"),
        ]
        # The same reports again (a second queueing, another replica) queue nothing more.
        assert queue_ingest_alerts(settings, report, database).total == 0
        unchanged = run_ingest(settings, [str(articles)], embedder=FakeEmbedder())
        assert not unchanged.tracks_added
        with database.session() as session:
            assert outbox.counts(session=session) == {"sending": 3}
        congo = next(alert for alert in claimed if alert.track_id == "dr-congo-rwanda")
        assert congo.text.startswith("<b>🔔 Нове: ДР Конго – Руанда, станом на 4 грудня 2025:</b>")
    finally:
        database.close()


def test_an_alert_says_whats_new_in_a_sentence_with_its_citation(library) -> None:
    settings, articles = library
    shutil.copy(MIXED / "later" / "2025-12-04-washington-accords.md", articles)
    report = run_ingest(settings, [str(articles)], embedder=FakeEmbedder(), queue_alerts=False)
    snapshot = load_snapshot(settings.index_dir)
    assert snapshot is not None
    [draft] = drafts_for(snapshot, report.tracks_added)
    assert draft.track.id == "dr-congo-rwanda" and str(draft.as_of) == "2025-12-04"
    english = draft.render("en")
    heading, sentence, _, sources, citation = english.splitlines()
    assert heading == "<b>🔔 New on DR Congo – Rwanda, as of 4 December 2025:</b>"
    [report_key] = report.tracks_added["dr-congo-rwanda"]
    lead = draft.leads[report_key]
    assert sentence == f"{lead} [1]" and 20 < len(lead) <= 280
    assert lead in (articles / "2025-12-04-washington-accords.md").read_text(encoding="utf-8")
    assert sources == "<b>Sources</b>" and citation.startswith("[1] ")
    assert "2025-12-04" in citation
    assert draft.reports_key == drafts_for(snapshot, report.tracks_added)[0].reports_key
    assert "станом на 4 грудня 2025" in draft.render("uk")
