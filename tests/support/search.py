"""Reference computations that search results are checked against."""

from __future__ import annotations

import itertools

import numpy as np

from index.search import Searcher


def brute_force_best_sentence(searcher: Searcher, vector: np.ndarray) -> np.ndarray:
    """Return every chunk's best sentence cosine, one chunk at a time."""
    sentences = searcher.snapshot.sentence_vectors
    assert sentences is not None
    return np.array(
        [
            max(sentences.vectors[start:end] @ vector)
            for start, end in itertools.pairwise(sentences.indptr)
        ]
    )
