"""Embedders for tests: a fast deterministic fake, registered as "fake", and a counting one."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from index.embedders.base import SENTENCES_CONTEXTUAL, Embedder, LoadOptions, TextKind
from index.embedders.registry import register

FAKE = "fake"
# The fake's cosines are spread far lower than a real model's; answers are judged against this.
FAKE_THRESHOLD = 0.2


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder for fast tests; no model needed."""

    def __init__(self, dimension: int = 64, name: str = FAKE) -> None:
        self.name = name
        self.dimension = dimension
        self.max_tokens = 256

    def _tokens(self, text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    def count_tokens(self, text: str) -> int:
        return len(self._tokens(text))

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in self._tokens(text):
                digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                vectors[row, bucket] += sign
            norm = np.linalg.norm(vectors[row])
            if norm == 0:
                vectors[row, 0] = 1.0
            else:
                vectors[row] /= norm
        return vectors


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.calls = 0

    def encode(self, texts: list[str], **options: object) -> np.ndarray:  # type: ignore[override]
        self.calls += 1
        self.texts.extend(texts)
        return super().encode(texts, **options)  # type: ignore[arg-type]


def _load_fake(options: LoadOptions) -> Embedder:
    return FakeEmbedder()


def register_fake() -> None:
    """Make NEGOBOT_EMBEDDING_MODEL=fake loadable, with the fake's answer threshold."""
    from bot.answers.tuning import CALIBRATED_THRESHOLDS

    register(FAKE, _load_fake)
    CALIBRATED_THRESHOLDS[FAKE] = FAKE_THRESHOLD


class SpanFakeEmbedder(CountingEmbedder):
    """The counting fake, offering the chunk pass's span vectors (each span's text, embedded).

    Its span vectors equal the spans encoded alone, so the two sentence recipes must agree.
    Texts in `too_long` are treated as past one window: their spans get None.
    """

    def __init__(self, recipe: str = SENTENCES_CONTEXTUAL) -> None:
        super().__init__()
        self.sentence_recipe = recipe
        self.too_long: set[str] = set()
        self.span_calls = 0

    def encode_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        self.span_calls += 1
        pooled = [
            None
            if text in self.too_long
            else FakeEmbedder.encode(self, [text[start:end] for start, end in found])
            for text, found in zip(texts, spans, strict=True)
        ]
        return self.encode(texts), pooled
