"""What one ingest run did: counts, time and throughput, for the summary line and for tests."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from index.documents import LoadProblem
from index.embedders.base import Embedder, TextKind, sentence_recipe, vector_space


@dataclass
class IngestReport:
    """What one ingest run did, for the summary line and for tests."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[LoadProblem] = field(default_factory=list)
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    # A new generation was written for an unchanged library, to add what older versions lacked.
    upgraded: bool = False
    total_articles: int = 0
    total_chunks: int = 0
    # The tracks this run added or replaced articles in: track id -> article keys.
    tracks_added: dict[str, list[str]] = field(default_factory=dict)
    index_version: str | None = None
    seconds: float = 0.0
    # Of `seconds`, the time spent inside the embedder (chunks and sentences).
    encode_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.upgraded)

    def summary(self) -> str:
        parts = [
            f"added {self.added}",
            f"replaced {self.replaced}",
            f"unchanged {self.unchanged}",
        ]
        skipped = sum(self.skipped.values())
        if skipped:
            reasons = ", ".join(f"{count} {reason}" for reason, count in self.skipped.items())
            parts.append(f"skipped {skipped} ({reasons})")
        if self.problems:
            parts.append(f"{len(self.problems)} problem(s)")
        if self.upgraded:
            parts.append("index upgraded")
        if self.tracks_added:
            tracks = ", ".join(f"{track} +{len(keys)}" for track, keys in self.tracks_added.items())
            parts.append(f"tracks: {tracks}")
        where = self.index_version or "index unchanged"
        embedded = f"{self.chunks_embedded} chunks"
        if self.sentences_embedded:
            embedded += f" and {self.sentences_embedded} sentence vectors"
        return (
            f"{', '.join(parts)}; embedded {embedded} in {self.seconds:.1f}s{self.throughput()}; "
            f"index now {self.total_articles} articles, {self.total_chunks} chunks ({where})"
        )

    def throughput(self) -> str:
        """Return " (N chunks/s, encoding P% of the run)", or "" when nothing was embedded."""
        if not self.chunks_embedded or self.seconds <= 0:
            return ""
        share = min(1.0, self.encode_seconds / self.seconds)
        rate = self.chunks_embedded / self.seconds
        return f" ({rate:.1f} chunks/s, encoding {share:.0%} of the run)"


class EncodeTimer:
    """Wraps an embedder and adds up the seconds spent in its encode calls."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.vector_space = vector_space(inner)
        self.sentence_recipe = sentence_recipe(inner)
        self.seconds = 0.0

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.encode(texts, kind=kind, batch_size=batch_size)
        finally:
            self.seconds += time.perf_counter() - started

    def encode_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        started = time.perf_counter()
        try:
            return self.inner.encode_with_spans(texts, spans)  # type: ignore[attr-defined]
        finally:
            self.seconds += time.perf_counter() - started
