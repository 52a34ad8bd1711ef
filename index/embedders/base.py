"""What every embedding engine shares: the Embedder protocol, its error, threads and batching."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from tqdm import tqdm

TextKind = Literal["query", "passage"]

# Passages per encode call during ingest (engines batch them further themselves).
EMBED_BATCH = 256
# How ingest makes sentence vectors (index/contextual_sentences.py), recorded in the manifest:
# each sentence encoded alone, or pooled from its tokens in its chunk's own encoder pass.
SENTENCES_ALONE = "alone"
SENTENCES_CONTEXTUAL = "contextual-1"


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded."""


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    dimension: int
    max_tokens: int

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        """Return float32 unit vectors, one row per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """Return how many model tokens the text takes (without special tokens)."""
        ...


@dataclass(frozen=True)
class LoadOptions:
    """What a caller may ask of a factory besides the model's name."""

    cache_dir: Path | None = None  # where built models live (default: the user cache folder)
    language_neutral: bool = True  # remove the language directions (index/language_neutral.py)


class ThreadAware(Protocol):
    """An engine that can change its thread count after it was loaded."""

    def set_threads(self, count: int) -> None:
        """Use `count` threads from now on."""
        ...


_thread_count: int | None = None
_thread_followers: weakref.WeakSet[ThreadAware] = weakref.WeakSet()


def configured_threads() -> int | None:
    """Return the thread count last given to set_threads, or None for the libraries' default."""
    return _thread_count


def follow_threads(engine: ThreadAware) -> None:
    """Have `engine` told of every later set_threads call (it is held weakly)."""
    _thread_followers.add(engine)


def set_threads(count: int) -> None:
    """Limit torch, FAISS and every engine to `count` threads (1 keeps query latency steady)."""
    import faiss
    import torch

    global _thread_count
    _thread_count = count
    torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)
    for engine in list(_thread_followers):
        engine.set_threads(count)


def vector_space(embedder: object) -> str:
    """Name the space an embedder's vectors live in: its model, plus any post-processing."""
    return str(getattr(embedder, "vector_space", getattr(embedder, "name", "")))


def sentence_recipe(embedder: object) -> str:
    """Name how ingest makes this embedder's sentence vectors (alone unless it says otherwise)."""
    return str(getattr(embedder, "sentence_recipe", SENTENCES_ALONE))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Return the rows scaled to length 1, as contiguous float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.clip(norms, 1e-12, None), dtype=np.float32)


def encode_in_batches(
    embedder: Embedder, texts: list[str], *, desc: str, unit: str, progress: bool = False
) -> np.ndarray:
    """Encode passages in slices of EMBED_BATCH, with a progress bar counting `unit`s per second."""
    batches: list[np.ndarray] = []
    with tqdm(total=len(texts), unit=unit, desc=desc, disable=not progress) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            batches.append(embedder.encode(batch, kind="passage"))
            bar.update(len(batch))
    if not batches:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack(batches)
