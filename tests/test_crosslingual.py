"""Language-neutral vectors: the language directions are removed, and indexes remember it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.crosslingual import language_directions, read_parallel_sentences
from index.documents import Article
from index.embedders.base import vector_space
from index.embedders.registry import load_embedder
from index.ingest import ingest_articles
from index.language_neutral import LanguageNeutralEmbedder, directions_path
from index.search import Searcher
from index.store import IndexStoreError, read_manifest
from tests.support.embedders import FakeEmbedder

ARTICLE = Article(
    title="Prisoner exchange",
    text="Ukraine and Russia exchanged prisoners of war after the talks in Istanbul.",
    published=__import__("datetime").date(2025, 5, 25),
    source="Reuters",
    url="https://example.org/exchange",
    language="en",
    id="exchange",
)


def _neutral(embedder: FakeEmbedder) -> LanguageNeutralEmbedder:
    rng = np.random.default_rng(7)
    return LanguageNeutralEmbedder(embedder, rng.normal(size=(4, embedder.dimension)))


def test_vectors_lose_every_language_direction_and_stay_unit_length() -> None:
    fake = FakeEmbedder()
    neutral = _neutral(fake)
    vectors = neutral.encode(["delegations met in Istanbul", "обмін полоненими"], kind="query")
    assert vectors.shape == (2, fake.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors @ neutral.directions.T, 0.0, atol=1e-5)
    assert neutral.encode([]).shape == (0, fake.dimension)
    assert (neutral.name, vector_space(neutral)) == ("fake", "fake+language-neutral-1")


def test_directions_of_the_wrong_width_are_refused() -> None:
    with pytest.raises(Exception, match=r"not \(k, 64\)"):
        LanguageNeutralEmbedder(FakeEmbedder(), np.ones((2, 10)))


def test_index_records_its_vector_space_and_refuses_raw_vectors(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    neutral = _neutral(fake)
    ingest_articles([ARTICLE], index_dir=tmp_path / "index", embedder=neutral)
    manifest = read_manifest(tmp_path / "index")
    assert manifest is not None
    assert (manifest["model"], manifest["vector_space"]) == ("fake", "fake+language-neutral-1")
    assert Searcher.open(tmp_path / "index", neutral).search("prisoners", 1)
    with pytest.raises(IndexStoreError, match="rebuild it with `negobot ingest --rebuild`"):
        Searcher.open(tmp_path / "index", fake)
    with pytest.raises(IndexStoreError, match="'fake\\+language-neutral-1' vectors"):
        ingest_articles([ARTICLE], index_dir=tmp_path / "index", embedder=fake)


def test_index_without_a_recorded_space_counts_as_raw_vectors(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    ingest_articles([ARTICLE], index_dir=tmp_path / "index", embedder=fake)
    assert Searcher.open(tmp_path / "index", fake).search("prisoners", 1)
    with pytest.raises(IndexStoreError, match="holds 'fake' vectors"):
        Searcher.open(tmp_path / "index", _neutral(fake))


def test_parallel_sentences_are_complete_rows(tmp_path: Path) -> None:
    columns = read_parallel_sentences()
    assert set(columns) == {"en", "uk", "ru"}
    assert len({len(texts) for texts in columns.values()}) == 1
    assert len(columns["en"]) >= 30
    broken = tmp_path / "broken.tsv"
    broken.write_text("en\tuk\tru\nOne.\tОдин.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.tsv:2: expected 3 non-empty columns"):
        read_parallel_sentences(broken)


def test_directions_are_mean_differences_from_english() -> None:
    fake = FakeEmbedder()
    sentences = {"en": ["peace talks"], "uk": ["мирні переговори"], "ru": ["мирные переговоры"]}
    directions = language_directions(fake, sentences)
    english = fake.encode(["peace talks"], kind="query")[0]
    ukrainian = fake.encode(["мирні переговори"], kind="query")[0]
    assert directions.shape == (4, fake.dimension)
    assert np.allclose(directions[0], ukrainian - english)


@pytest.mark.model
def test_shipped_directions_match_the_packaged_model() -> None:
    raw = load_embedder("multilingual-e5-small", language_neutral=False)
    fresh = language_directions(raw, read_parallel_sentences())
    shipped = np.load(directions_path(raw.name))
    cosines = np.sum(fresh * shipped, axis=1) / (
        np.linalg.norm(fresh, axis=1) * np.linalg.norm(shipped, axis=1)
    )
    assert shipped.shape == fresh.shape
    assert cosines.min() > 0.99, (
        "regenerate with `python -m index.crosslingual multilingual-e5-small`"
    )


@pytest.mark.model
def test_a_ukrainian_question_prefers_the_english_answer_to_ukrainian_talk_of_talks() -> None:
    question = "Скільки полонених звільнили сторони в перший день обміну?"
    passages = [
        "Each side freed 390 prisoners of war on the first day of the exchange.",
        "Переговори делегацій у Стамбулі тривали менше двох годин.",
        "Україна та Росія домовилися продовжити переговори в Стамбулі.",
    ]
    margins = {}
    for neutral in (False, True):
        model = load_embedder("multilingual-e5-small", language_neutral=neutral)
        scores = model.encode(passages) @ model.encode([question], kind="query")[0]
        margins[neutral] = float(scores[0] - scores[1:].max())
    assert margins[True] > 0.02, margins
    assert margins[True] > margins[False], margins
