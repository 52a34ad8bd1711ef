"""Embedders: the fake one, the packaged models, the ONNX export and the registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedders.base import EmbeddingModelError
from index.embedders.registry import known_models, load_embedder
from tests.support.embedders import FakeEmbedder

RELATED_QUERY = "Where did the prisoner exchange between Ukraine and Russia take place?"
RELATED = "Ukraine and Russia swapped captured soldiers in a prisoner exchange agreed in Istanbul."
UNRELATED = "The bakery sells sourdough bread and croissants every morning."

# English passages for the cross-lingual check; the first is the right answer.
PASSAGES = [
    "Ukraine and Russia completed a 1,000-for-1,000 prisoner exchange over three days in May.",
    "The United States and Ukraine met in Jeddah and proposed a 30-day ceasefire.",
    "Energy infrastructure strikes were to pause after a phone call between the two presidents.",
    "A Black Sea maritime truce was discussed by technical teams in Riyadh.",
]
UKRAINIAN_QUESTION = "Скільки полонених повернулися додому під час обміну 1000 на 1000?"
RUSSIAN_QUESTION = "Сколько пленных вернулись домой во время обмена 1000 на 1000?"


def _unit_rows(vectors: np.ndarray) -> bool:
    return bool(np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4))


def test_fake_embedder_is_deterministic_unit_norm() -> None:
    texts = ["peace talks in Istanbul", "", "обмін полоненими"]
    first = FakeEmbedder().encode(texts)
    second = FakeEmbedder().encode(texts)
    assert first.dtype == np.float32
    assert first.shape == (3, 64)
    assert np.array_equal(first, second)
    assert _unit_rows(first)
    assert FakeEmbedder().count_tokens("two words") == 2


def test_unknown_model_name_is_refused_clearly() -> None:
    with pytest.raises(EmbeddingModelError) as caught:
        load_embedder("no-such-model")
    message = str(caught.value)
    assert "no-such-model" in message
    for name in known_models():
        assert name in message


def test_fake_by_name() -> None:
    assert load_embedder("fake").name == "fake"


@pytest.fixture(scope="module")
def minilm():
    return load_embedder("all-MiniLM-L6-v2")


@pytest.mark.model
def test_minilm_unit_vectors_and_ranking(minilm) -> None:
    query = minilm.encode([RELATED_QUERY], kind="query")
    passages = minilm.encode([RELATED, UNRELATED], kind="passage")
    assert passages.shape == (2, 384)
    assert minilm.dimension == 384
    assert _unit_rows(passages) and _unit_rows(query)
    scores = passages @ query[0]
    assert scores[0] > scores[1] + 0.2


@pytest.mark.model
def test_int8_onnx_matches_torch(minilm, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache: Path = tmp_path_factory.mktemp("model-cache")
    int8 = load_embedder("all-MiniLM-L6-v2-int8", cache_dir=cache)
    assert int8.name == "all-MiniLM-L6-v2-int8"
    assert (cache / "all-MiniLM-L6-v2" / "model_int8.onnx").is_file()
    texts = [RELATED_QUERY, RELATED, UNRELATED, PASSAGES[1], " ".join(PASSAGES * 8)]
    quantized = int8.encode(texts)
    reference = minilm.encode(texts)
    assert quantized.shape == reference.shape == (5, 384)
    assert _unit_rows(quantized)
    assert np.sum(quantized * reference, axis=1).min() >= 0.98
    # Same tokenizer, same window: chunking is unchanged by the switch.
    assert int8.count_tokens(RELATED) == minilm.count_tokens(RELATED)
    assert int8.max_tokens == minilm.max_tokens
    # A second load reuses the export instead of redoing it.
    stamp = (cache / "all-MiniLM-L6-v2" / "export.json").stat().st_mtime_ns
    load_embedder("all-MiniLM-L6-v2-int8", cache_dir=cache)
    assert (cache / "all-MiniLM-L6-v2" / "export.json").stat().st_mtime_ns == stamp


@pytest.mark.model
def test_multilingual_model_finds_english_passage_for_uk_and_ru_questions() -> None:
    model = load_embedder("multilingual-e5-small")
    assert model.dimension == 384
    passages = model.encode(PASSAGES, kind="passage")
    questions = model.encode([UKRAINIAN_QUESTION, RUSSIAN_QUESTION], kind="query")
    assert _unit_rows(passages) and _unit_rows(questions)
    best = np.argmax(questions @ passages.T, axis=1)
    assert best.tolist() == [0, 0]
    assert 0 < model.count_tokens(PASSAGES[0]) < model.max_tokens
