"""The tuning objects: read-only, overridable from the settings, and honoured where passed."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.answers.answerer import Answerer
from bot.answers.questions import named_period
from bot.answers.sentences import SentencePicker, freshness, same_statement
from bot.answers.tuning import ANSWER_TUNING
from bot.config import Settings
from index.tuning import SEARCH_TUNING
from tests.support.embedders import FakeEmbedder
from tests.support.library import library_searcher


def test_tuning_cannot_be_changed_in_place() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ANSWER_TUNING.retrieve_k = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        SEARCH_TUNING.rrf_k = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        ANSWER_TUNING.calibrated_thresholds["fake"] = 0.9  # type: ignore[index]


def test_settings_without_overrides_keep_the_tuned_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEGOBOT_RECENT_DAYS", raising=False)
    monkeypatch.delenv("NEGOBOT_SENTENCE_CACHE_SIZE", raising=False)
    assert Settings(_env_file=None).answer_tuning() == ANSWER_TUNING  # type: ignore[call-arg]


def test_settings_override_only_what_they_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEGOBOT_RECENT_DAYS", "30")
    monkeypatch.setenv("NEGOBOT_SENTENCE_CACHE_SIZE", "2")
    tuning = Settings(_env_file=None).answer_tuning()  # type: ignore[call-arg]
    assert (tuning.recent_days, tuning.sentence_cache_size) == (30, 2)
    assert replace(tuning, recent_days=45, sentence_cache_size=50_000) == ANSWER_TUNING


def test_the_picker_keeps_no_more_vectors_than_its_tuning_allows() -> None:
    picker = SentencePicker(FakeEmbedder(), tuning=replace(ANSWER_TUNING, sentence_cache_size=2))
    vectors = picker._vectors(["one sentence", "two sentences", "three sentences"], {})
    assert len(vectors) == 3
    assert list(picker._cache) == ["two sentences", "three sentences"]


def test_an_answerers_tuning_reaches_the_near_duplicate_share(tmp_path: Path) -> None:
    searcher = library_searcher(tmp_path)
    question = "How many bodies of soldiers would Russia return?"
    tuned = Answerer(lambda: searcher, searcher.embedder).answer(question)
    assert "6,060" in tuned.text and "6,000" not in tuned.text
    # No two sentences count as one statement told twice: both numbers are quoted.
    never_same = replace(ANSWER_TUNING, near_duplicate=1.01)
    both = Answerer(lambda: searcher, searcher.embedder, tuning=never_same).answer(question)
    assert "6,060" in both.text and "6,000" in both.text


def test_the_module_functions_take_their_numbers_from_a_tuning() -> None:
    first = "Russia said it would return the bodies of 6,000 soldiers."
    second = "Russia said it would return the bodies of 6,060 soldiers."
    assert same_statement(first, second) and not same_statement(first, second, 1.01)
    newest = date(2025, 6, 30)
    half_life = ANSWER_TUNING.freshness_half_life_days
    assert freshness(newest - timedelta(days=half_life), newest) == pytest.approx(0.5)
    assert freshness(newest - timedelta(days=10), newest, 10) == pytest.approx(0.5)
    question = "What happened in May 2025?"
    grace = ANSWER_TUNING.period_grace_days
    assert named_period(question, newest) == (
        date(2025, 5, 1),
        date(2025, 5, 31) + timedelta(days=grace),
    )
    strict = replace(ANSWER_TUNING, period_grace_days=0)
    assert named_period(question, newest, strict) == (date(2025, 5, 1), date(2025, 5, 31))
