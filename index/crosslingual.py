"""Take the language out of multilingual vectors so a question finds passages in any language.

Multilingual encoders place a text partly by its language: a Russian question lands nearer a
Russian passage on another subject than an English passage on its own. The language part is
measured once on sentences that say the same thing in each language (index/data/
parallel_sentences.tsv): the mean difference between languages, for queries and for passages,
spans a few directions that carry language and hardly any meaning. Removing those directions from
every vector (and re-normalising) leaves cosines between texts of one language almost unchanged
and brings translations together.

The directions are computed by `python -m index.crosslingual MODEL` and shipped beside the
sentences, so loading the model costs no extra encoding; index/language_neutral.py removes them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from index.embedders.base import Embedder
from index.language_neutral import DATA_DIR, directions_path
from index.tsv import read_rows

PARALLEL_SENTENCES = DATA_DIR / "parallel_sentences.tsv"
REFERENCE_LANGUAGE = "en"


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


def main(argv: list[str] | None = None) -> int:
    """Compute a model's language directions from the parallel sentences and save them."""
    from index.embedders.registry import load_embedder

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
