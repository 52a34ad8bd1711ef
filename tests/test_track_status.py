"""Status by negotiation track through the real service: the list, one track's latest, "as of"."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import i18n
from bot.assistant import Negobot
from bot.config import Settings
from bot.logstore.store import LogStore
from bot.profile import DEFAULT_PROFILE, activate, load_profile
from tests.support.embedders import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent
MIXED = REPO / "data" / "samples" / "mixed"


@pytest.fixture
def mixed_service(tmp_path: Path) -> Iterator[Negobot]:
    """The real service over a copy of the mixed library, with its profile and the fake embedder."""
    articles = tmp_path / "articles"
    shutil.copytree(MIXED / "articles", articles)
    settings = Settings(
        _env_file=None,
        articles_dir=articles,
        index_dir=tmp_path / "index",
        embedding_model="fake",
        profile=MIXED / "profile.toml",
    )
    embedder = FakeEmbedder()
    store = LogStore(f"sqlite:///{tmp_path / 'log.db'}", user_key_secret="test")
    activate(load_profile(settings.profile))
    from bot.ingesting import run_ingest

    run_ingest(settings, [str(articles)], embedder=embedder)
    service = Negobot(settings, embedder=embedder, log_store=store)
    yield service
    service.close()
    activate(load_profile(DEFAULT_PROFILE))


def test_status_lists_every_track_with_its_newest_report(mixed_service: Negobot) -> None:
    answer = mixed_service.status("en")
    lines = answer.text.splitlines()
    assert lines[0] == "Negotiations in the library (6):"
    assert lines[1].startswith(
        "• Ukraine – Russia [russia-ukraine] — 3 reports, newest 24 November"
    )
    assert any(
        line.startswith("• Gaza: Israel – Hamas [hamas-israel] — 2 reports, newest 10 October 2025")
        for line in lines
    )
    assert lines[-1] == i18n.text("en", "status_hint")
    assert not answer.sources and answer.as_of is None


def test_status_of_one_track_is_as_of_its_newest_report(mixed_service: Negobot) -> None:
    answer = mixed_service.status("en", track="gaza")
    assert answer.as_of is not None and answer.as_of.isoformat() == "2025-10-10"
    assert answer.text.startswith("As of 10 October 2025:\n")
    assert answer.text.count("As of") == 1
    assert {citation.article_id for citation in answer.sources} <= {
        "mixed-il-hamas-ceasefire-oct10",
        "mixed-il-hamas-ceasefire-jan19",
    }
    ukrainian = mixed_service.status("uk", track="india-pakistan")
    assert ukrainian.text.startswith("Станом на 10 травня 2025:\n")


def test_unknown_track_is_named_in_a_one_line_reply(mixed_service: Negobot) -> None:
    answer = mixed_service.status("en", track="atlantis")
    assert answer.abstained
    assert answer.text.startswith("No negotiation in the library matches “atlantis”. Known: ")


def test_status_follows_a_reindex_that_adds_a_newer_report(mixed_service: Negobot) -> None:
    articles = mixed_service.settings.articles_dir
    shutil.copy(MIXED / "later" / "2025-12-04-washington-accords.md", articles)
    mixed_service.reindex()
    lines = mixed_service.status("en").text.splitlines()
    assert lines[1].startswith(
        "• DR Congo – Rwanda [dr-congo-rwanda] — 3 reports, newest 4 December"
    )
    answer = mixed_service.status("en", track="dr-congo-rwanda")
    assert answer.as_of is not None and answer.as_of.isoformat() == "2025-12-04"


def test_as_of_only_on_answers_about_the_current_state(mixed_service: Negobot) -> None:
    answer = mixed_service.ask("Who signed the Congo Rwanda peace agreement?", front_end="cli")
    assert not answer.abstained
    assert answer.as_of is None and "As of" not in answer.text


def test_sources_shows_tracks_and_date_ranges(mixed_service: Negobot) -> None:
    summary = mixed_service.sources_summary("en")
    assert summary.startswith("The library holds 14 articles from 5 outlets")
    assert "• US–China trade [china-united-states] — 3 reports, 12 May 2025 to 29 July 2025" in (
        summary.splitlines()
    )


def test_greeting_and_decline_come_from_the_profile(mixed_service: Negobot) -> None:
    assert "six 2025 negotiations" in i18n.text("en", "start")
    assert "Ukraine–Russia peace talks" not in i18n.text("en", "no_answer")
    assert i18n.text("en", "empty").endswith("/ask When did the Gaza ceasefire take effect?")


def test_a_status_question_naming_a_negotiation_is_answered_from_its_track(
    mixed_service: Negobot,
) -> None:
    answer = mixed_service.ask("Where do the Gaza ceasefire talks stand now?", front_end="cli")
    assert answer.as_of is not None and answer.as_of.isoformat() == "2025-10-10"
    assert answer.sources[0].article_id == "mixed-il-hamas-ceasefire-oct10"
    answer = mixed_service.ask(
        "What is the latest between India and Pakistan now?", front_end="cli"
    )
    assert {citation.article_id for citation in answer.sources} <= {
        "mixed-in-pk-ceasefire-may10",
        "mixed-in-pk-sindoor-may07",
    }


def test_a_status_question_in_words_follows_a_reindex(mixed_service: Negobot) -> None:
    articles = mixed_service.settings.articles_dir
    shutil.copy(MIXED / "later" / "2025-12-04-washington-accords.md", articles)
    mixed_service.reindex()
    english = mixed_service.ask("What is the latest between Congo and Rwanda now?", front_end="cli")
    assert english.as_of is not None and english.as_of.isoformat() == "2025-12-04"
    assert english.text.startswith("As of 4 December 2025:\n") and english.text.count("As of") == 1
