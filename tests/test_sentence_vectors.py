"""Sentence vectors: what is embedded, how they are stored and reused, how search uses them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.chunking import ChunkingSettings, chunk_article, split_sentences
from index.documents import Article, Chunk
from index.ingest import ingest_articles
from index.search import Searcher
from index.sentence_vectors import SentenceVectors, embed_sentences, sentence_texts
from index.store import current_generation, load_snapshot
from tests.support.articles import synthetic_article
from tests.support.embedders import CountingEmbedder, FakeEmbedder
from tests.support.search import brute_force_best_sentence

QUERIES = ["prisoner exchange", "ceasefire memorandum", "Medinsky", "energy infrastructure pause"]


def brute_force_ranking(searcher: Searcher, query: str) -> list[int]:
    """Rank every chunk by the better of its own cosine and its best sentence's, in numpy."""
    vector = searcher.embedder.encode([query], kind="query")[0]
    chunk_scores = np.asarray(searcher.snapshot.vectors) @ vector
    scores = np.maximum(chunk_scores, brute_force_best_sentence(searcher, vector))
    return sorted(range(len(scores)), key=lambda row: (-scores[row], row))


def test_a_pronoun_led_sentence_is_embedded_with_the_one_before() -> None:
    text = "Putin declared a truce. He announced it at a meeting. Kyiv was sceptical."
    assert sentence_texts(text) == [
        ("Putin declared a truce.", "Putin declared a truce."),
        ("He announced it at a meeting.", "Putin declared a truce. He announced it at a meeting."),
        ("Kyiv was sceptical.", "Kyiv was sceptical."),
    ]
    assert sentence_texts("Він сказав це першим.") == [("Він сказав це першим.",) * 2]


def test_sentences_shared_by_overlapping_chunks_are_embedded_once(
    make_articles,  # type: ignore[no-untyped-def]
) -> None:
    embedder = CountingEmbedder()
    articles = make_articles(3)
    chunks = [
        chunk
        for article in articles
        for chunk in _chunks(article, ChunkingSettings(max_tokens=24, overlap_sentences=1))
    ]
    vectors, indptr = embed_sentences(embedder, chunks)
    slots = [text for chunk in chunks for _, text in sentence_texts(chunk.text)]
    assert len(vectors) == len(slots) == indptr[-1]
    assert len(embedder.texts) == len(set(slots)) < len(slots), "the overlap is embedded once"
    for row, chunk in enumerate(chunks):
        expected = embedder.encode([t for _, t in sentence_texts(chunk.text)], kind="passage")
        np.testing.assert_allclose(vectors[indptr[row] : indptr[row + 1]], expected, atol=1e-6)


def _chunks(article: Article, settings: ChunkingSettings) -> list[Chunk]:
    return chunk_article(
        article,
        article_id=article.key,
        settings=settings,
        count_tokens=lambda text: len(text.split()),
        window_tokens=256,
    )


@pytest.mark.parametrize("query", QUERIES)
def test_dense_search_matches_brute_force_max_of_chunk_and_sentence(
    index_dir: Path, fake_embedder: FakeEmbedder, query: str
) -> None:
    searcher = Searcher.open(index_dir, fake_embedder)
    expected = brute_force_ranking(searcher, query)
    vector = fake_embedder.encode([query], kind="query")[0]
    for k in (1, 5, 12):
        found = searcher.dense(vector, k)
        assert [row for row, _ in found] == expected[:k]
        # The cosine reported is the chunk's own (the abstention threshold is calibrated on it).
        for row, cosine in found:
            own = float(np.asarray(searcher.snapshot.vectors[row]) @ vector)
            assert cosine == pytest.approx(own, abs=1e-6)


def test_generation_records_sentence_vectors_that_line_up_with_chunks(index_dir: Path) -> None:
    snapshot = load_snapshot(index_dir)
    assert snapshot is not None and snapshot.sentence_vectors is not None
    sentences = snapshot.sentence_vectors
    assert sentences.chunks == len(snapshot.chunks)
    assert snapshot.manifest["sentences"]["count"] == len(sentences.vectors)
    embedder = FakeEmbedder()
    for row in (0, len(snapshot.chunks) // 2, len(snapshot.chunks) - 1):
        texts = [text for _, text in sentence_texts(snapshot.chunks[row].text)]
        stored = sentences.vectors[sentences.indptr[row] : sentences.indptr[row + 1]]
        np.testing.assert_allclose(stored, embedder.encode(texts, kind="passage"), atol=1e-6)


def test_new_article_reuses_the_stored_sentence_vectors(tmp_path: Path, make_articles) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "index"
    embedder = CountingEmbedder()
    ingest_articles(make_articles(6), index_dir=folder, embedder=embedder)
    before = load_snapshot(folder)
    assert before is not None and before.sentence_vectors is not None
    stored = {
        chunk.chunk_id: before.sentence_vectors.of_rows([row])[0]
        for row, chunk in enumerate(before.chunks)
    }
    embedder.texts.clear()

    report = ingest_articles(make_articles(7), index_dir=folder, embedder=embedder)
    new_text = make_articles(1, start=6)[0].text
    sentences_embedded = [text for text in embedder.texts if text in new_text]
    assert report.sentences_embedded == len(split_sentences(new_text)) == len(sentences_embedded)
    after = load_snapshot(folder)
    assert after is not None and after.sentence_vectors is not None
    for row, chunk in enumerate(after.chunks):
        if chunk.chunk_id in stored:
            np.testing.assert_array_equal(
                after.sentence_vectors.of_rows([row])[0], stored[chunk.chunk_id]
            )


def test_an_index_without_sentence_vectors_is_upgraded_by_the_next_ingest(
    tmp_path: Path,
    make_articles,  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path / "index"
    embedder = CountingEmbedder()
    articles = make_articles(5)
    without = ChunkingSettings(sentence_vectors=False)
    ingest_articles(articles, index_dir=folder, embedder=embedder, chunking=without)
    old = load_snapshot(folder)
    assert old is not None and old.sentence_vectors is None
    assert "sentences" not in old.manifest
    # Such an index still answers, from chunk vectors alone.
    searcher = Searcher.open(folder, embedder)
    query_vector = embedder.encode(["talks"], kind="query")[0]
    chunk_order = np.argsort(-(np.asarray(old.vectors) @ query_vector), kind="stable")
    assert [row for row, _ in searcher.dense(query_vector, 3)] == chunk_order[:3].tolist()
    embedder.texts.clear()

    report = ingest_articles(articles, index_dir=folder, embedder=embedder)
    assert report.upgraded and report.changed and report.chunks_embedded == 0
    assert (report.added, report.replaced, report.unchanged) == (0, 0, 5)
    assert "index upgraded" in report.summary()
    upgraded = load_snapshot(folder)
    assert upgraded is not None and upgraded.sentence_vectors is not None
    assert upgraded.sentence_vectors.chunks == len(upgraded.chunks) == len(old.chunks)
    np.testing.assert_array_equal(np.asarray(upgraded.vectors), np.asarray(old.vectors))
    assert all(not text.startswith("Round ") for text in embedder.texts), "no chunk re-embedded"

    # Unchanged again: nothing more is written.
    again = ingest_articles(articles, index_dir=folder, embedder=embedder)
    assert not again.changed and again.index_version is None

    # Turned off, the next ingest drops them without embedding anything.
    embedder.texts.clear()
    dropped = ingest_articles(articles, index_dir=folder, embedder=embedder, chunking=without)
    assert dropped.upgraded and embedder.texts == []
    folder_now = current_generation(folder)
    assert folder_now is not None
    manifest = json.loads((folder_now / "manifest.json").read_text(encoding="utf-8"))
    assert "sentences" not in manifest


def test_index_saved_with_another_glossary_is_rewritten_by_the_next_ingest(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "index"
    embedder = CountingEmbedder()
    articles = [synthetic_article(1), synthetic_article(2)]
    ingest_articles(articles, index_dir=folder, embedder=embedder)
    generation = current_generation(folder)
    assert generation is not None
    manifest_path = generation / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["glossary"] = "an-older-glossary"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    embedder.texts.clear()

    report = ingest_articles(articles, index_dir=folder, embedder=embedder)
    assert report.upgraded and embedder.texts == [], "concepts are found again, nothing embedded"
    rewritten = current_generation(folder)
    assert rewritten is not None and rewritten != generation
    snapshot = load_snapshot(folder)
    assert snapshot is not None
    assert snapshot.manifest["glossary"] == snapshot.concept_index.digest


@pytest.mark.model
def test_a_fact_told_in_passing_finds_its_article(e5_searcher: Searcher) -> None:
    # The sentence sits in a passage about the Kremlin's critics under a title about a swap; the
    # passage alone ranked 34th of 49 for this question.
    question = "What did Trump call Putin's actions around the time of the second Istanbul round?"
    hits = e5_searcher.search(question, 3)
    assert "seed-istanbul-second-round" in [hit.chunk.article_id for hit in hits]
    assert any("erratic" in hit.chunk.text for hit in hits)


@pytest.mark.parametrize("rows", [[3, 1, 7], [], [0], list(range(40)), [39, 0, 0]])
def test_of_rows_picks_each_chunks_sentences_in_the_order_asked(rows: list[int]) -> None:
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 6, size=40)  # some chunks without a sentence
    indptr = np.concatenate([[0], np.cumsum(counts)])
    vectors = rng.standard_normal((int(indptr[-1]), 8)).astype(np.float32)
    picked, picked_indptr = SentenceVectors.build(vectors, indptr).of_rows(rows)
    expected = [vectors[indptr[row] : indptr[row + 1]] for row in rows]
    assert picked_indptr.tolist() == [0, *np.cumsum([len(e) for e in expected]).tolist()]
    np.testing.assert_array_equal(picked, np.concatenate(expected) if rows else picked[:0])
