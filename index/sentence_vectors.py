"""A vector for every sentence of every chunk, so a fact told in passing is still found.

A chunk's vector blends everything the passage says. "Trump criticized Putin's actions, labeling
them as erratic" sits in the seed article (istanbul-talks-second-round.md) beside the Kremlin's
critics and an old prisoner swap, under a title about a swap, and that passage ranks 34th of 49
for "What did Trump call Putin's actions around the time of the second Istanbul round?", although
the sentence alone is the library's closest sentence to it. Dense search therefore ranks each
chunk by the better of its own cosine and its best sentence's (docs/answers.md, "Sentence
vectors").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.chunking import split_sentences
from index.documents import Chunk
from index.embedders.base import Embedder, encode_in_batches
from index.tuning import SEARCH_TUNING
from index.vectors import VectorIndex, build_vector_index

FILE_NAME = "sentences.npy"
ROWS_FILE = "sentence_rows.npy"
INDEX_FILE = "sentences.faiss"

# A sentence opening with a pronoun ("He announced the decision at a meeting with Gerasimov")
# means little alone: it is embedded together with the sentence before it.
PRONOUN_START = re.compile(
    r"(he|she|it|they|this|these|that|those|his|her|its|their|він|вона|воно|вони|це|його|її|їх|"
    r"он|она|оно|они|это|его|ее|её|их)\b",
    re.IGNORECASE,
)


def sentence_texts(text: str) -> list[tuple[str, str]]:
    """Return (sentence, text to embed for it) for each sentence of a passage, in order."""
    sentences = split_sentences(text)
    return [
        (
            sentence,
            f"{sentences[i - 1]} {sentence}" if i and PRONOUN_START.match(sentence) else sentence,
        )
        for i, sentence in enumerate(sentences)
    ]


class SentenceVectors:
    """Sentence vectors grouped by chunk row: chunk r owns rows indptr[r]:indptr[r + 1]."""

    def __init__(self, vectors: np.ndarray, indptr: np.ndarray, vector_index: VectorIndex) -> None:
        self.vectors = vectors
        self.indptr = indptr
        self.vector_index = vector_index
        self.owner = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        # A chunk's best sentence is surely among this many nearest sentences per wanted chunk.
        self.most_per_chunk = int(np.diff(indptr).max(initial=1))

    @classmethod
    def build(
        cls, vectors: np.ndarray, indptr: np.ndarray, *, flat_limit: int = SEARCH_TUNING.flat_limit
    ) -> SentenceVectors:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return cls(vectors, indptr, build_vector_index(vectors, flat_limit=flat_limit))

    @property
    def chunks(self) -> int:
        return len(self.indptr) - 1

    def describe(self) -> dict[str, Any]:
        return {"count": len(self.vectors), "vector_index": self.vector_index.describe()}

    def save(self, folder: Path) -> None:
        np.save(folder / FILE_NAME, np.ascontiguousarray(self.vectors, dtype=np.float32))
        np.save(folder / ROWS_FILE, self.indptr)
        self.vector_index.save(folder / INDEX_FILE)

    @classmethod
    def load(cls, folder: Path, description: dict[str, Any]) -> SentenceVectors:
        # Memory-mapped like the chunk vectors: a search reads only its candidates' sentences.
        vectors = np.load(folder / FILE_NAME, mmap_mode="r")
        indptr = np.load(folder / ROWS_FILE)
        return cls(
            vectors, indptr, VectorIndex.load(folder / INDEX_FILE, description["vector_index"])
        )

    def of_rows(self, rows: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the vectors and indptr of the given chunk rows, renumbered from 0 in order."""
        wanted = np.asarray(rows, dtype=np.int64)
        starts = self.indptr[wanted]
        counts = self.indptr[wanted + 1] - starts
        indptr = np.zeros(len(wanted) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(counts)
        # Each chunk's sentences are consecutive: shift a running count by where each chunk starts.
        positions = np.arange(indptr[-1]) + np.repeat(starts - indptr[:-1], counts)
        return self.vectors[positions], indptr

    def best(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Return each given chunk row's best sentence cosine (-1 for a chunk without sentences)."""
        vectors, indptr = self.of_rows(rows)
        vectors = np.asarray(vectors)
        best = np.full(len(rows), -1.0, dtype=np.float32)
        if len(vectors):
            scores = vectors @ query_vector
            owners = np.repeat(np.arange(len(rows)), np.diff(indptr))
            np.maximum.at(best, owners, scores)
        return best

    def nearest_chunks(self, query_vector: np.ndarray, k: int) -> np.ndarray:
        """Return the chunk rows owning the nearest sentences: the k best chunks by sentence."""
        _, found = self.vector_index.search(query_vector[None, :], k * self.most_per_chunk)
        return np.unique(self.owner[found[0][found[0] >= 0]])


def embed_sentences(
    embedder: Embedder, chunks: Sequence[Chunk], *, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Embed the sentences of each chunk; return (vectors, indptr) in chunk order.

    Overlapping chunks share sentences: each distinct text is embedded once.
    """
    per_chunk = [[embedded for _, embedded in sentence_texts(chunk.text)] for chunk in chunks]
    indptr = np.zeros(len(chunks) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(texts) for texts in per_chunk])
    distinct = list(dict.fromkeys(text for texts in per_chunk for text in texts))
    encoded = encode_in_batches(
        embedder, distinct, desc="sentences", unit="sentence", progress=progress
    )
    position = {text: i for i, text in enumerate(distinct)}
    order = [position[text] for texts in per_chunk for text in texts]
    return np.ascontiguousarray(encoded[order], dtype=np.float32), indptr
