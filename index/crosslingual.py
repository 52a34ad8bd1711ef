"""Take the language out of multilingual vectors so a question finds passages in any language.

Multilingual encoders place a text partly by its language: a Russian question lands nearer a
Russian passage on another subject than an English passage on its own. The language part is
measured once on sentences that say the same thing in each language (index/data/
parallel_sentences.tsv): the mean difference between languages, for queries and for passages,
spans a few directions that carry language and hardly any meaning. Removing those directions from
every vector (and re-normalising) leaves cosines between texts of one language almost unchanged
and brings translations together.

The directions are computed by `python -m index.crosslingual MODEL` and shipped beside the
sentences, so loading the model costs no extra encoding.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from index.embedding import Embedder, EmbeddingModelError, TextKind
from index.tsv import read_rows

DATA_DIR = Path(__file__).resolve().parent / "data"
PARALLEL_SENTENCES = DATA_DIR / "parallel_sentences.tsv"
# Part of the vector space's name: bump it when the sentences or the method change, so indexes
# built with other directions are refused instead of mixed.
METHOD_VERSION = 1
REFERENCE_LANGUAGE = "en"


def directions_path(model_name: str) -> Path:
    """Return where the shipped language directions of a model live."""
    return DATA_DIR / f"{model_name}.language-directions.npy"


def read_parallel_sentences(path: Path = PARALLEL_SENTENCES) -> dict[str, list[str]]:
    """Read the tab-separated parallel sentences: a header of language codes, then one row each."""
    languages, rows = read_rows(path)
    return {language: [cells[i] for _, cells in rows] for i, language in enumerate(languages)}


def language_directions(embedder: Embedder, sentences: dict[str, list[str]]) -> np.ndarray:
    """Return one row per (text kind, other language): mean(other) - mean(reference)."""
    rows: list[np.ndarray] = []
    for kind in ("query", "passage"):
        means = {
            language: embedder.encode(texts, kind=kind).mean(axis=0)
            for language, texts in sentences.items()
        }
        reference = means[REFERENCE_LANGUAGE]
        rows.extend(
            means[language] - reference for language in means if language != REFERENCE_LANGUAGE
        )
    return np.vstack(rows).astype(np.float32)


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
        self.vector_space = f"{inner.name}+language-neutral-{METHOD_VERSION}"
        self.directions = directions
        self._basis = orthonormal_basis(directions)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        vectors = self.inner.encode(texts, kind=kind, batch_size=batch_size)
        if not len(vectors):
            return vectors
        neutral = vectors - (vectors @ self._basis) @ self._basis.T
        norms = np.linalg.norm(neutral, axis=1, keepdims=True)
        return np.ascontiguousarray(neutral / np.maximum(norms, 1e-12), dtype=np.float32)


def language_neutral(inner: Embedder) -> LanguageNeutralEmbedder:
    """Wrap a model with its shipped language directions."""
    path = directions_path(inner.name)
    try:
        directions = np.load(path)
    except (OSError, ValueError) as error:
        raise EmbeddingModelError(
            f"cannot read the language directions of {inner.name!r} from {path}: {error}; "
            f"regenerate them with `python -m index.crosslingual {inner.name}`"
        ) from error
    return LanguageNeutralEmbedder(inner, directions)


def main(argv: list[str] | None = None) -> int:
    """Compute a model's language directions from the parallel sentences and save them."""
    from index.embedding import load_embedder

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m index.crosslingual MODEL", file=sys.stderr)
        return 2
    embedder = load_embedder(args[0], language_neutral=False)
    directions = language_directions(embedder, read_parallel_sentences())
    np.save(directions_path(embedder.name), directions)
    print(f"wrote {directions_path(embedder.name)} ({directions.shape[0]} directions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
