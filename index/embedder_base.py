"""What every embedding engine shares: the Embedder protocol, its error, and the thread setting."""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np

TextKind = Literal["query", "passage"]


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


_thread_count: int | None = None


def configured_threads() -> int | None:
    """Return the thread count last given to set_threads, or None for the libraries' default."""
    return _thread_count


def remember_threads(count: int) -> None:
    """Record the thread count that engines loaded from now on start with."""
    global _thread_count
    _thread_count = count
