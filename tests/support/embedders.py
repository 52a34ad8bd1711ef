"""Embedders for tests that need to see what was embedded."""

from __future__ import annotations

import numpy as np

from index.embedding import FakeEmbedder


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
