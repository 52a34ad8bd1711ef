"""Wrap an embedder so its vectors lose the language directions measured by index.crosslingual."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embedders.base import (
    Embedder,
    EmbeddingModelError,
    TextKind,
    sentence_recipe,
    unit_rows,
    vector_space,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# Part of the vector space's name: bump it when the sentences or the method change, so indexes
# built with other directions are refused instead of mixed.
METHOD_VERSION = 1


def directions_path(model_name: str) -> Path:
    """Return where the shipped language directions of a model live."""
    return DATA_DIR / f"{model_name}.language-directions.npy"


def orthonormal_basis(directions: np.ndarray) -> np.ndarray:
    """Return a (dimension, k) matrix whose columns span the directions."""
    basis, _ = np.linalg.qr(directions.T.astype(np.float64))
    return basis.astype(np.float32)


class LanguageNeutralEmbedder:
    """Wraps an embedder and removes the language directions from every vector it returns."""

    def __init__(self, inner: Embedder, directions: np.ndarray) -> None:
        if directions.ndim != 2 or directions.shape[1] != inner.dimension:
            raise EmbeddingModelError(
                f"language directions for {inner.name!r} have shape {directions.shape}, "
                f"not (k, {inner.dimension})"
            )
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.vector_space = f"{vector_space(inner)}+language-neutral-{METHOD_VERSION}"
        self.sentence_recipe = sentence_recipe(inner)
        self.directions = directions
        self._basis = orthonormal_basis(directions)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        return self._neutral(self.inner.encode(texts, kind=kind, batch_size=batch_size))

    def encode_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """The inner engine's passage and span vectors, both without the language directions."""
        vectors, pooled = self.inner.encode_with_spans(texts, spans)  # type: ignore[attr-defined]
        return self._neutral(vectors), [None if p is None else self._neutral(p) for p in pooled]

    def _neutral(self, vectors: np.ndarray) -> np.ndarray:
        if not len(vectors):
            return vectors
        # A zero row (a span without tokens) stays zero, so callers can still tell it apart.
        return unit_rows(vectors - (vectors @ self._basis) @ self._basis.T)


def language_neutral(inner: Embedder, weights: str | None = None) -> LanguageNeutralEmbedder:
    """Wrap a model with the shipped language directions of its weights (default: its name)."""
    path = directions_path(weights or inner.name)
    try:
        directions = np.load(path)
    except (OSError, ValueError) as error:
        raise EmbeddingModelError(
            f"cannot read the language directions of {inner.name!r} from {path}: {error}; "
            f"regenerate them with `python -m index.crosslingual {inner.name}`"
        ) from error
    return LanguageNeutralEmbedder(inner, directions)
