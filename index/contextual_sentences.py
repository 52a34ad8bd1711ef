"""Sentence vectors pooled from the chunk's own encoder pass, so each sentence is not read twice.

Ingest embeds every chunk and, for sentence vectors (index/sentence_vectors.py), every sentence
again on its own: nearly twice the tokens. An engine whose `sentence_recipe` is
SENTENCES_CONTEXTUAL instead runs the encoder once per chunk and averages the token states over
each sentence's characters as well as over the whole chunk. Those vectors read each sentence in
its passage's context, so they differ from a sentence encoded alone; docs/embedders.md gives
what they do to answers. A sentence the chunk pass cannot give (its chunk past one window, or a
sentence not found in it) is encoded alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tqdm import tqdm

from index.chunking import embedding_text
from index.documents import Chunk
from index.embedders.base import (
    EMBED_BATCH,
    SENTENCES_ALONE,
    Embedder,
    encode_in_batches,
    sentence_recipe,
)
from index.sentence_vectors import sentence_texts


def sentence_spans(chunk: Chunk) -> list[tuple[int, int]] | None:
    """Return where each sentence's embedded text lies in the chunk's embedding text.

    A sentence embedded with the one before it (sentence_texts) spans both. None when a
    sentence is not found where expected.
    """
    text = embedding_text(chunk)
    offset = len(text) - len(chunk.text)  # the title and its separator come first
    spans: list[tuple[int, int]] = []
    starts: list[int] = []
    cursor = 0
    for sentence, embedded in sentence_texts(chunk.text):
        start = chunk.text.find(sentence, cursor)
        if start < 0:
            return None
        cursor = start + len(sentence)
        begin = starts[-1] if embedded != sentence and starts else start
        starts.append(start)
        if chunk.text[begin:cursor] != embedded:
            return None
        spans.append((offset + begin, offset + cursor))
    return spans


def embed_chunks_with_sentences(
    embedder: Embedder, chunks: Sequence[Chunk], *, progress: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (chunk vectors, sentence vectors, indptr) from one encoder pass per chunk.

    The embedder must offer encode_with_spans (ONNX engines do); chunk r owns sentence rows
    indptr[r]:indptr[r + 1], in the order of sentence_texts, as embed_sentences gives them.
    """
    texts = [embedding_text(chunk) for chunk in chunks]
    per_chunk = [[embedded for _, embedded in sentence_texts(chunk.text)] for chunk in chunks]
    spans = [sentence_spans(chunk) for chunk in chunks]
    indptr = np.zeros(len(chunks) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(embedded) for embedded in per_chunk])
    chunk_vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    sentence_vectors = np.zeros((int(indptr[-1]), embedder.dimension), dtype=np.float32)
    with tqdm(total=len(chunks), unit="chunk", desc="embedding", disable=not progress) as bar:
        for start in range(0, len(chunks), EMBED_BATCH):
            stop = min(start + EMBED_BATCH, len(chunks))
            vectors, pooled = embedder.encode_with_spans(  # type: ignore[attr-defined]
                texts[start:stop], [found or [] for found in spans[start:stop]]
            )
            chunk_vectors[start:stop] = vectors
            for row, rows in zip(range(start, stop), pooled, strict=True):
                if spans[row] is not None and rows is not None:
                    sentence_vectors[indptr[row] : indptr[row + 1]] = rows
            bar.update(stop - start)
    # Rows still zero: their chunk was read in several windows, or a span held no token.
    missing = np.flatnonzero(~sentence_vectors.any(axis=1))
    if len(missing):
        flat = [embedded for embedded_texts in per_chunk for embedded in embedded_texts]
        distinct = list(dict.fromkeys(flat[i] for i in missing))
        alone = encode_in_batches(embedder, distinct, desc="sentences", unit="sentence")
        position = {text: i for i, text in enumerate(distinct)}
        sentence_vectors[missing] = alone[[position[flat[i]] for i in missing]]
    return chunk_vectors, sentence_vectors, indptr


def stale_sentence_recipe(manifest: dict[str, Any], embedder: Embedder) -> str | None:
    """Say how an index's sentence vectors were made when this embedder makes them otherwise.

    Their cosines to a query are then not comparable, and an update would mix the two.
    """
    if "sentences" not in manifest:
        return None
    # Indexes from before the recipe was recorded encoded every sentence alone.
    built = str(manifest.get("sentence_recipe", SENTENCES_ALONE))
    wanted = sentence_recipe(embedder)
    if built == wanted:
        return None
    return f"holds sentence vectors made {built!r}, but {embedder.name!r} makes them {wanted!r}"
