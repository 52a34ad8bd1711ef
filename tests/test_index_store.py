"""The stored index: FAISS against brute force, HNSW recall, the manifest, and atomic publishing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from index.chunking import ChunkingSettings
from index.documents import Article
from index.ingest import ingest_articles
from index.loaders import load_articles
from index.search import Searcher
from index.store import (
    CURRENT_FILE,
    IndexStoreError,
    current_generation,
    load_snapshot,
    read_manifest,
)
from index.tuning import SEARCH_TUNING
from index.vectors import VectorIndex, build_vector_index, measure_recall
from tests.support.articles import REPO_ROOT, synthetic_article
from tests.support.embedders import FakeEmbedder


def unit_vectors(count: int, dimension: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, dimension), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = queries @ vectors.T
    rows = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, rows, axis=1), rows


def test_flat_index_matches_brute_force_on_random_vectors() -> None:
    vectors = unit_vectors(3000, 48, seed=1)
    queries = unit_vectors(25, 48, seed=2)
    index = build_vector_index(vectors)
    assert index.describe() == {"type": "flat", "params": {}, "recall_at_10": 1.0}
    scores, rows = index.search(queries, 10)
    expected_scores, expected_rows = exact_top(vectors, queries, 10)
    np.testing.assert_array_equal(rows, expected_rows)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-5)


def test_flat_index_matches_brute_force_on_the_fake_embedded_library(
    index_dir: Path, fake_embedder: FakeEmbedder
) -> None:
    snapshot = load_snapshot(index_dir)
    assert snapshot is not None
    queries = fake_embedder.encode(
        ["prisoner exchange in Istanbul", "energy ceasefire call", "Alaska summit", "Medinsky"],
        kind="query",
    )
    vectors = np.asarray(snapshot.vectors)
    assert vectors.shape == (len(snapshot.chunks), fake_embedder.dimension)
    scores, rows = snapshot.vector_index.search(queries, 10)
    expected_scores, expected_rows = exact_top(vectors, queries, 10)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-5)
    # Equal scores may come in either order; the score at every rank must agree.
    for got, expected, row_scores in zip(rows, expected_rows, expected_scores, strict=True):
        if len(set(np.round(row_scores, 5))) == len(row_scores):
            np.testing.assert_array_equal(got, expected)


def test_search_asks_for_more_than_stored() -> None:
    index = build_vector_index(unit_vectors(3, 8, seed=3))
    _, rows = index.search(unit_vectors(1, 8, seed=4), 10)
    assert rows.shape == (1, 3)
    assert sorted(rows[0].tolist()) == [0, 1, 2]


def test_hnsw_recall_is_measured_and_high(tmp_path: Path) -> None:
    vectors = unit_vectors(4000, 32, seed=5)
    index = build_vector_index(vectors, flat_limit=1000)
    description = index.describe()
    assert description["type"] == "hnsw"
    assert description["params"] == {
        "m": SEARCH_TUNING.hnsw_m,
        "ef_construction": SEARCH_TUNING.hnsw_ef_construction,
        "ef_search": SEARCH_TUNING.hnsw_ef_search,
    }
    assert 0.9 <= description["recall_at_10"] <= 1.0
    queries = unit_vectors(200, 32, seed=6)
    _, rows = index.search(queries, 10)
    _, expected = exact_top(vectors, queries, 10)
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, expected, strict=True)])
    assert overlap >= 0.9
    # efSearch is not stored in the FAISS file; loading restores it from the description.
    index.save(tmp_path / "hnsw.faiss")
    reloaded = VectorIndex.load(tmp_path / "hnsw.faiss", description)
    assert reloaded.index.hnsw.efSearch == SEARCH_TUNING.hnsw_ef_search
    np.testing.assert_array_equal(reloaded.search(queries, 10)[1], rows)


def test_manifest_records_how_the_index_was_built(
    index_dir: Path, sample_articles: list[Article]
) -> None:
    manifest = read_manifest(index_dir)
    snapshot = load_snapshot(index_dir)
    assert manifest is not None and snapshot is not None
    assert manifest["model"] == "fake"
    assert manifest["dimension"] == 64
    assert manifest["embedding_window"] == 256
    assert manifest["chunking"] == ChunkingSettings().to_json()
    assert manifest["counts"] == {"articles": len(sample_articles), "chunks": len(snapshot.chunks)}
    assert manifest["vector_index"] == {"type": "flat", "params": {}, "recall_at_10": 1.0}
    assert manifest["version"] == (index_dir / CURRENT_FILE).read_text().strip()
    assert manifest["format_version"] == 1


def test_manifest_of_an_hnsw_index_records_its_recall(
    tmp_path: Path, fake_embedder: FakeEmbedder, make_articles
) -> None:
    folder = tmp_path / "index"
    ingest_articles(make_articles(300), index_dir=folder, embedder=fake_embedder, flat_limit=100)
    manifest = read_manifest(folder)
    assert manifest is not None
    assert manifest["vector_index"]["type"] == "hnsw"
    assert 0.0 < manifest["vector_index"]["recall_at_10"] <= 1.0
    hits = Searcher.open(folder, fake_embedder).search("Talks number 17", 3, mode="keyword")
    assert hits[0].chunk.article_id == "round-17"


@pytest.mark.parametrize(
    "other", [FakeEmbedder(name="other-model"), FakeEmbedder(dimension=32)], ids=["name", "dims"]
)
def test_another_model_is_refused_naming_both(
    index_dir: Path, other: FakeEmbedder, make_articles
) -> None:
    with pytest.raises(IndexStoreError) as ingesting:
        ingest_articles(make_articles(2), index_dir=index_dir, embedder=other)
    with pytest.raises(IndexStoreError) as searching:
        Searcher.open(index_dir, other)
    for error in (ingesting.value, searching.value):
        message = str(error)
        assert "'fake' (64 dims)" in message
        assert f"{other.name!r} ({other.dimension} dims)" in message
        assert "--rebuild" in message
        assert "\n" not in message


def test_other_chunking_settings_are_refused(index_dir: Path, make_articles) -> None:
    with pytest.raises(IndexStoreError, match="chunked with"):
        ingest_articles(
            make_articles(2),
            index_dir=index_dir,
            embedder=FakeEmbedder(),
            chunking=ChunkingSettings(max_tokens=120),
        )


def test_no_index_and_dangling_pointer_are_clear_errors(tmp_path: Path) -> None:
    assert load_snapshot(tmp_path) is None
    assert read_manifest(tmp_path) is None
    (tmp_path / CURRENT_FILE).write_text("gen-000007\n")
    with pytest.raises(IndexStoreError, match=r"gen-000007.*missing"):
        load_snapshot(tmp_path)


def test_old_generations_are_pruned_to_the_current_and_previous(
    tmp_path: Path, fake_embedder: FakeEmbedder, make_articles
) -> None:
    folder = tmp_path / "index"
    for start in range(0, 40, 10):
        ingest_articles(make_articles(10, start), index_dir=folder, embedder=fake_embedder)
    assert sorted(p.name for p in folder.iterdir()) == [CURRENT_FILE, "gen-000003", "gen-000004"]
    assert load_snapshot(folder).manifest["counts"]["articles"] == 40  # type: ignore[union-attr]


def test_a_generation_never_published_is_removed_and_the_replaced_one_kept(
    tmp_path: Path, fake_embedder: FakeEmbedder, make_articles
) -> None:
    folder = tmp_path / "index"
    ingest_articles(make_articles(5), index_dir=folder, embedder=fake_embedder)
    # A crash between renaming gen-000002 into place and pointing CURRENT at it leaves an orphan.
    shutil.copytree(folder / "gen-000001", folder / "gen-000002")
    ingest_articles(make_articles(5, 5), index_dir=folder, embedder=fake_embedder)
    assert (folder / CURRENT_FILE).read_text().strip() == "gen-000003"
    assert sorted(p.name for p in folder.iterdir()) == [CURRENT_FILE, "gen-000001", "gen-000003"]


def test_an_index_saved_with_an_older_tokenizer_is_retokenised_on_load(
    index_dir: Path, fake_embedder: FakeEmbedder
) -> None:
    folder = current_generation(index_dir)
    assert folder is not None
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["keyword_tokenizer"] = "1"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(folder / "bm25")  # an old vocabulary would not match today's query tokens
    hits = Searcher.open(index_dir, fake_embedder).search("Medinsky", 3, mode="keyword")
    assert hits and "Medinsky" in hits[0].chunk.text


# --- killing an ingest midway -------------------------------------------------------------------

# Runs in a child process: ingest the corpus with an embedder that sleeps per batch and says when it
# embeds; PATCH optionally makes one os call in index.store announce itself and hang.
CHILD = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    import index.store

    # A shell that starts a job in the background makes it ignore SIGINT, and children inherit
    # that; restore Python's own handler so the test means the same wherever it runs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from tests.support.embedders import FakeEmbedder
    from index.ingest import ingest_articles
    from index.loaders import load_articles

    corpus, index_dir, patch = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

    class SlowEmbedder(FakeEmbedder):
        def encode(self, texts, **options):
            print("embedding", flush=True)
            time.sleep(2)
            return super().encode(texts, **options)

    if patch != "none":
        original = getattr(index.store.os, patch)

        def hang(*args, **kwargs):
            print("publishing", flush=True)
            time.sleep(120)
            return original(*args, **kwargs)

        setattr(index.store.os, patch, hang)
    ingest_articles(load_articles([corpus]), index_dir=index_dir, embedder=SlowEmbedder())
    print("done", flush=True)
    """
)


def write_corpus(path: Path, count: int, start: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(start, start + count):
            article = synthetic_article(number)
            record = {**article.__dict__, "published": article.published.isoformat()}
            handle.write(json.dumps(record) + "\n")
    return path


def run_and_interrupt(
    corpus: Path, index_dir: Path, *, wait_for: str, sig: signal.Signals, patch: str = "none"
) -> int:
    """Start the child ingest, send `sig` once it prints `wait_for`, return its exit status."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(corpus), str(index_dir), patch],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == wait_for:
                break
            assert line.strip() != "done", "the ingest finished before it could be interrupted"
        else:
            pytest.fail(f"child never printed {wait_for!r}: {child.stderr.read()}")  # type: ignore[union-attr]
        time.sleep(0.1)
        child.send_signal(sig)
        return child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.fixture
def published(tmp_path: Path, fake_embedder: FakeEmbedder, make_articles) -> Path:
    """An index with one published generation of 20 articles."""
    folder = tmp_path / "index"
    ingest_articles(make_articles(20), index_dir=folder, embedder=fake_embedder)
    return folder


def assert_previous_generation_intact(folder: Path, fake_embedder: FakeEmbedder) -> None:
    assert (folder / CURRENT_FILE).read_text().strip() == "gen-000001"
    assert current_generation(folder) == folder / "gen-000001"
    snapshot = load_snapshot(folder)
    assert snapshot is not None
    assert snapshot.manifest["counts"]["articles"] == 20
    hits = Searcher(snapshot, fake_embedder).search("Talks number 7 took place", 3)
    assert hits[0].chunk.article_id == "round-7"


def assert_next_ingest_recovers(folder: Path, corpus: Path, fake_embedder: FakeEmbedder) -> None:
    report = ingest_articles(load_articles([corpus]), index_dir=folder, embedder=fake_embedder)
    assert report.added == 400 and not report.problems
    assert not list(folder.glob("*.tmp")), "abandoned staging folders must be cleaned up"
    snapshot = load_snapshot(folder)
    assert snapshot is not None
    assert snapshot.manifest["counts"]["articles"] == 420
    hits = Searcher(snapshot, fake_embedder).search("Talks number 333 took place", 3)
    assert hits[0].chunk.article_id == "round-333"


@pytest.mark.crash
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_while_embedding_keeps_the_published_index(
    published: Path, tmp_path: Path, fake_embedder: FakeEmbedder, sig: signal.Signals
) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", 400, start=100)
    status = run_and_interrupt(corpus, published, wait_for="embedding", sig=sig)
    assert status != 0
    assert_previous_generation_intact(published, fake_embedder)
    assert_next_ingest_recovers(published, corpus, fake_embedder)


@pytest.mark.crash
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_while_writing_the_generation_keeps_the_published_index(
    published: Path, tmp_path: Path, fake_embedder: FakeEmbedder, sig: signal.Signals
) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", 400, start=100)
    # Hang at the rename that publishes the fully written staging folder, then interrupt.
    status = run_and_interrupt(corpus, published, wait_for="publishing", sig=sig, patch="rename")
    assert status != 0
    staging = published / "gen-000002.tmp"
    assert (staging / "manifest.json").exists(), "the staging folder was written before rename"
    assert_previous_generation_intact(published, fake_embedder)
    assert_next_ingest_recovers(published, corpus, fake_embedder)


@pytest.mark.crash
def test_killed_between_publishing_and_pointing_keeps_the_published_index(
    published: Path, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", 400, start=100)
    # Hang at the replace that moves CURRENT: the new generation exists but is not current yet.
    status = run_and_interrupt(
        corpus, published, wait_for="publishing", sig=signal.SIGKILL, patch="replace"
    )
    assert status != 0
    assert (published / "gen-000002").is_dir()
    assert_previous_generation_intact(published, fake_embedder)
    assert_next_ingest_recovers(published, corpus, fake_embedder)
    assert (published / CURRENT_FILE).read_text().strip() == "gen-000003"


def test_recall_probes_are_exact_for_flat_and_the_near_probe_is_recorded() -> None:
    vectors = unit_vectors(3000, 16, seed=9)
    exact = build_vector_index(vectors)
    assert measure_recall(exact.index, vectors, mix=1) == 1.0
    assert measure_recall(exact.index, vectors, mix=4, noise=0.0) == 1.0
    hnsw = build_vector_index(vectors, flat_limit=100)
    near = measure_recall(hnsw.index, vectors, mix=1)
    assert near == hnsw.recall_at_10
    assert 0.0 < measure_recall(hnsw.index, vectors, mix=4, noise=0.0) <= 1.0
