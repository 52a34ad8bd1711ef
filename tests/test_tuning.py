"""The tuning objects: read-only, and the answering one overridable from the settings."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.sentences import SentencePicker
from bot.tuning import ANSWER_TUNING
from index.tuning import SEARCH_TUNING
from tests.support.embedders import FakeEmbedder


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
