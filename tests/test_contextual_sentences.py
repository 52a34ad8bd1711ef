"""Sentence vectors from the chunk pass: spans, fallbacks, and the recipe the manifest records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.chunking import ChunkingSettings, chunk_article, embedding_text
from index.contextual_sentences import (
    embed_chunks_with_sentences,
    sentence_spans,
    stale_sentence_recipe,
)
from index.documents import Article, Chunk
from index.embedders.base import SENTENCES_ALONE, SENTENCES_CONTEXTUAL, sentence_recipe
from index.ingest import ingest_articles
from index.language_neutral import LanguageNeutralEmbedder
from index.search import Searcher
from index.sentence_vectors import embed_sentences, sentence_texts
from index.store import IndexStoreError, read_manifest
from tests.support.embedders import FakeEmbedder, SpanFakeEmbedder

ARTICLE = Article(
    title="Talks in Istanbul",
    text=(
        "Delegations met in Istanbul on Monday. They agreed to swap 1,000 prisoners each.\n\n"
        "The ceasefire was not discussed. Officials said more rounds would follow."
    ),
    published=date(2025, 6, 2),
    source="Reuters",
    url="https://example.org/istanbul",
    language="en",
    id="istanbul",
)


def _chunks(embedder: FakeEmbedder, max_tokens: int = 200) -> list[Chunk]:
    settings = ChunkingSettings(max_tokens=max_tokens)
    return chunk_article(
        ARTICLE,
        article_id="istanbul",
        settings=settings,
        count_tokens=embedder.count_tokens,
        window_tokens=embedder.max_tokens,
    )


def test_spans_cover_each_embedded_text_after_the_title() -> None:
    (chunk,) = _chunks(FakeEmbedder())
    spans = sentence_spans(chunk)
    embedded = [text for _, text in sentence_texts(chunk.text)]
    assert spans is not None and len(spans) == len(embedded) == 4
    text = embedding_text(chunk)
    assert [text[start:end] for start, end in spans] == embedded
    # "They agreed ..." opens with a pronoun: it is read with the sentence before it.
    assert embedded[1].startswith("Delegations met")


def test_one_pass_gives_the_chunk_and_sentence_vectors() -> None:
    embedder = SpanFakeEmbedder()
    chunks = _chunks(embedder, max_tokens=12)
    chunk_vectors, vectors, indptr = embed_chunks_with_sentences(embedder, chunks)
    alone, alone_indptr = embed_sentences(FakeEmbedder(), chunks)
    assert np.array_equal(indptr, alone_indptr) and np.allclose(vectors, alone)
    assert np.allclose(chunk_vectors, FakeEmbedder().encode([embedding_text(c) for c in chunks]))
    assert embedder.span_calls == 1
    assert embedder.texts == [embedding_text(chunk) for chunk in chunks]  # nothing read twice


def test_a_chunk_past_the_window_has_its_sentences_encoded_alone() -> None:
    embedder = SpanFakeEmbedder()
    chunks = _chunks(embedder, max_tokens=12)
    embedder.too_long = {embedding_text(chunks[0])}
    _, vectors, indptr = embed_chunks_with_sentences(embedder, chunks)
    alone, _ = embed_sentences(FakeEmbedder(), chunks)
    assert np.allclose(vectors, alone)
    first = [text for _, text in sentence_texts(chunks[0].text)]
    assert embedder.texts[len(chunks) :] == list(dict.fromkeys(first))
    assert indptr[-1] == len(alone)


def test_ingest_records_the_recipe_and_reads_sentences_once(tmp_path: Path) -> None:
    embedder = SpanFakeEmbedder()
    report = ingest_articles([ARTICLE], index_dir=tmp_path, embedder=embedder)
    manifest = read_manifest(tmp_path)
    assert manifest is not None and manifest["sentence_recipe"] == SENTENCES_CONTEXTUAL
    assert report.sentences_embedded == 4 and len(embedder.texts) == report.chunks_embedded
    assert Searcher.open(tmp_path, embedder).search("prisoners swap", 1)


@pytest.mark.parametrize(
    ("built_with", "opened_with"),
    [
        (lambda: FakeEmbedder(), lambda: SpanFakeEmbedder()),
        (lambda: SpanFakeEmbedder(), lambda: FakeEmbedder()),
    ],
)
def test_sentence_vectors_made_another_way_ask_for_a_rebuild(
    tmp_path: Path, built_with: Callable[[], FakeEmbedder], opened_with: Callable[[], FakeEmbedder]
) -> None:
    ingest_articles([ARTICLE], index_dir=tmp_path, embedder=built_with())
    with pytest.raises(IndexStoreError, match=r"sentence vectors made .*negobot ingest --rebuild"):
        Searcher.open(tmp_path, opened_with())
    with pytest.raises(IndexStoreError, match="negobot ingest --rebuild"):
        ingest_articles([ARTICLE], index_dir=tmp_path, embedder=opened_with())
    ingest_articles([ARTICLE], index_dir=tmp_path, embedder=opened_with(), rebuild=True)
    assert Searcher.open(tmp_path, opened_with()).search("prisoners", 1)


def test_an_index_without_a_recorded_recipe_holds_sentences_encoded_alone(tmp_path: Path) -> None:
    ingest_articles([ARTICLE], index_dir=tmp_path, embedder=FakeEmbedder())
    manifest = read_manifest(tmp_path)
    assert manifest is not None and manifest["sentence_recipe"] == SENTENCES_ALONE
    without = {key: value for key, value in manifest.items() if key != "sentence_recipe"}
    assert stale_sentence_recipe(without, FakeEmbedder()) is None
    assert "'alone'" in str(stale_sentence_recipe(without, SpanFakeEmbedder()))


def test_language_neutral_wrapper_keeps_the_recipe_and_projects_span_vectors() -> None:
    inner = SpanFakeEmbedder()
    directions = np.random.default_rng(3).normal(size=(4, inner.dimension))
    neutral = LanguageNeutralEmbedder(inner, directions)
    assert sentence_recipe(neutral) == SENTENCES_CONTEXTUAL
    assert sentence_recipe(LanguageNeutralEmbedder(FakeEmbedder(), directions)) == SENTENCES_ALONE
    (chunk,) = _chunks(inner)
    spans = sentence_spans(chunk)
    assert spans is not None
    vectors, pooled = neutral.encode_with_spans([embedding_text(chunk)], [spans])
    assert pooled[0] is not None and pooled[0].shape == (4, inner.dimension)
    assert np.allclose(pooled[0] @ directions.T, 0.0, atol=1e-5)
    assert np.allclose(vectors, neutral.encode([embedding_text(chunk)]), atol=1e-6)
