"""BM25 keyword ranking over chunk texts, so names and numbers are found exactly."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from index.tuning import SEARCH_TUNING

# bm25s sets its own logger to DEBUG on import, which would print on every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f ](?=\d{3}\b)")
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Ukrainian writes the apostrophe three ways (ʼ ’ '); inside a word it is dropped so all match.
APOSTROPHE = re.compile(r"(?<=\w)[ʼ’'](?=\w)")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
    ]
)


# Bumped whenever tokenize() changes: an index saved with other tokens is re-tokenised on load.
TOKENIZER_VERSION = "2-english-stem"
_LATIN_WORD = re.compile(r"[a-z]+")
_ENGLISH_STEMMER = Stemmer.Stemmer("english")


def tokenize(text: str, *, stem: bool = True) -> list[str]:
    """Lower-case word tokens for BM25.

    '6,000' and '6 000' both become '6000'; English stopwords are dropped and, unless stem is
    False, English words stemmed ('negotiations' matches 'negotiated'); Cyrillic words are kept
    whole, since Snowball has no Ukrainian stemmer and a Russian one would mangle Ukrainian.
    """
    text = APOSTROPHE.sub("", _THOUSANDS.sub("", text.lower()))
    return [
        _ENGLISH_STEMMER.stemWord(token) if stem and _LATIN_WORD.fullmatch(token) else token
        for token in _TOKEN.findall(text)
        if token not in _STOPWORDS
    ]


class KeywordIndex:
    """A bm25s index whose rows line up with the chunk rows of the vector index."""

    def __init__(self, retriever: bm25s.BM25, size: int, *, stem: bool = True) -> None:
        self.retriever = retriever
        self.size = size
        self.stem = stem  # queries must be tokenized as the texts were

    @classmethod
    def build(cls, texts: list[str], *, stem: bool = True) -> KeywordIndex:
        retriever = bm25s.BM25()
        tokens = [tokenize(text, stem=stem) or [""] for text in texts]
        if texts:
            retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts), stem=stem)

    def save(self, folder: Path) -> None:
        if self.size:
            self.retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> KeywordIndex:
        if not size:
            return cls(bm25s.BM25(), 0)
        return cls(bm25s.BM25.load(str(folder)), size)

    def top(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return up to k (row, score) pairs with a positive score, best first."""
        if not self.size:
            return []
        token_ids = self.retriever.get_tokens_ids(tokenize(query, stem=self.stem))
        if not token_ids:
            return []
        rows, scores = self._matching_rows(token_ids)
        if allowed is not None:
            keep = allowed[rows]
            rows, scores = rows[keep], scores[keep]
        k = min(k, len(rows))
        if k == 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        # Ties are broken by row, so the ranking does not depend on how rows were gathered.
        ranked = best[np.lexsort((rows[best], -scores[best]))]
        return [(int(rows[i]), float(scores[i])) for i in ranked if scores[i] > 0]

    def _matching_rows(self, token_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Return the rows that contain a query token and their BM25 scores.

        Only the query tokens' posting lists are read, so a rare name costs little even in a
        million-chunk index; when the postings cover a large share of the index, scoring every
        row at once is faster.
        """
        matrix = self.retriever.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        ids = np.asarray(token_ids, dtype=np.int64)
        postings = int((indptr[ids + 1] - indptr[ids]).sum())
        full_scan = postings > self.size * SEARCH_TUNING.keyword_full_scan_share
        if full_scan or self.retriever.nonoccurrence_array is not None:
            scores = self.retriever.get_scores_from_ids(token_ids)
            rows = np.flatnonzero(scores > 0)
            return rows, scores[rows]
        spans = [slice(int(indptr[t]), int(indptr[t + 1])) for t in ids]
        if not spans:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = np.concatenate([indices[span] for span in spans])
        weights = np.concatenate([data[span] for span in spans])
        unique, inverse = np.unique(rows, return_inverse=True)
        return unique.astype(np.int64), np.bincount(inverse, weights=weights)
