"""The mixed sample library indexed for alert and digest tests, and its later reports."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.config import Settings
from bot.ingesting import run_ingest
from bot.profile import activate, load_profile
from index.ingest import IngestReport
from tests.support.embedders import FakeEmbedder

REPO = Path(__file__).resolve().parents[2]
MIXED = REPO / "data" / "samples" / "mixed"
LATER = {"china-united-states", "dr-congo-rwanda"}  # the tracks the later reports join


def mixed_library(tmp_path: Path, database_url: str) -> tuple[Settings, Path]:
    """Index the mixed library with the fake embedder (its profile active); return settings."""
    articles = tmp_path / "articles"
    shutil.copytree(MIXED / "articles", articles)
    settings = Settings(
        _env_file=None,
        articles_dir=articles,
        index_dir=tmp_path / "index",
        embedding_model="fake",
        profile=MIXED / "profile.toml",
        database_url=database_url,
    )
    activate(load_profile(settings.profile))
    run_ingest(settings, [str(articles)], embedder=FakeEmbedder(), queue_alerts=False)
    return settings, articles


def add_later_reports(settings: Settings, articles: Path) -> IngestReport:
    """Copy the later reports in and ingest them (queueing their alerts)."""
    for later in (MIXED / "later").iterdir():
        shutil.copy(later, articles)
    return run_ingest(settings, [str(articles)], embedder=FakeEmbedder())
