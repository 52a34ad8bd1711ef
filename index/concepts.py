"""Which glossary concepts each chunk names, so a question is matched alike in every language.

Keywords match only within one language, and the small multilingual encoder leans towards
passages in the question's own language: a Ukrainian question about the prisoners to be swapped
after the March phone call ranks the one Ukrainian report (on another swap) above the English
report of the call. A glossary concept ("prisoner exchange", "phone call") is the same whatever
language names it, so for a Ukrainian or Russian question a passage naming more of its concepts,
weighted by how rare each is in the library, ranks higher in any language (see `Searcher.search`
for why English questions do without).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from index.glossary import Glossary, default_glossary

FILE_NAME = "concepts.npz"


class ConceptIndex:
    """For each chunk row, the glossary concepts its text names (rows as in the vector index)."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, concepts: int, digest: str) -> None:
        self.indptr = indptr
        self.indices = indices
        self.digest = digest
        rows = len(indptr) - 1
        frequency = np.bincount(indices, minlength=concepts)
        # BM25's inverse document frequency: a concept in every chunk is worth almost nothing.
        self.idf = np.log1p((rows - frequency + 0.5) / (frequency + 0.5))

    @classmethod
    def build(cls, texts: Iterable[str], glossary: Glossary | None = None) -> ConceptIndex:
        glossary = glossary or default_glossary()
        named = [sorted(glossary.concept_numbers(text)) for text in texts]
        indptr = np.zeros(len(named) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(numbers) for numbers in named])
        indices = np.array([n for numbers in named for n in numbers], dtype=np.int32)
        return cls(indptr, indices, len(glossary.concepts), glossary.digest)

    def save(self, folder: Path) -> None:
        np.savez(folder / FILE_NAME, indptr=self.indptr, indices=self.indices)

    @classmethod
    def load(cls, folder: Path, glossary: Glossary | None = None) -> ConceptIndex:
        """Load the concepts saved with the glossary the caller has checked is still current."""
        glossary = glossary or default_glossary()
        with np.load(folder / FILE_NAME) as saved:
            return cls(saved["indptr"], saved["indices"], len(glossary.concepts), glossary.digest)

    def _wanted(self, concepts: frozenset[int]) -> np.ndarray:
        """Return a mask over all concepts, true for the given ones."""
        wanted = np.zeros(len(self.idf), dtype=bool)
        wanted[list(concepts)] = True
        return wanted

    def all_scores(self, concepts: frozenset[int]) -> np.ndarray:
        """Return, for every row, the summed rarity of the given concepts that its text names."""
        wanted = self._wanted(concepts)
        weights = np.where(wanted[self.indices], self.idf[self.indices], 0.0)
        totals = np.concatenate([[0.0], np.cumsum(weights)])
        return totals[self.indptr[1:]] - totals[self.indptr[:-1]]

    def scores(self, concepts: frozenset[int], rows: Iterable[int]) -> dict[int, float]:
        """Return, per row, the summed rarity of the given concepts that the row's text names."""
        wanted = self._wanted(concepts)
        result = {}
        for row in rows:
            named = self.indices[self.indptr[row] : self.indptr[row + 1]]
            result[row] = float(self.idf[named[wanted[named]]].sum())
        return result
