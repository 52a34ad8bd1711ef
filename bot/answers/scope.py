"""Decide whether a question is about the peace talks at all, before trusting the best passage.

A cosine threshold alone cannot tell "what's the weather in Kyiv tomorrow?" (close to passages that
mention Kyiv) from a Russian question about an English report (cross-language cosines run lower).
So the question is also compared with two sets of short texts written for this purpose
(bot/answers/data/): questions a user of this bot would send, and things people ask a news bot
that are not about the talks (other wars and ceasefires, weather, prices, sport, chit-chat ...). The
scope margin is

    best passage cosine + mean of the 3 nearest in-scope texts - 2 x mean of the 3 nearest
    off-topic texts

and the question is taken to be out of scope below a margin calibrated per model, together with
the cosine threshold, by `bench/bench_answers.py --calibrate` (docs/benchmarks.md). The
prototype vectors are computed by `python -m bot.answers.scope MODEL` and shipped, so starting
the bot costs no extra encoding; a model without shipped vectors has them computed at its first
question.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.embedders.base import Embedder, vector_space
from index.embedders.registry import load_embedder, weights_of
from index.tsv import read_rows

DATA_DIR = Path(__file__).resolve().parent / "data"
IN_SCOPE = DATA_DIR / "in_scope.tsv"
OFF_TOPIC = DATA_DIR / "off_topic.tsv"


def read_texts(path: Path) -> list[str]:
    """Read a `language<TAB>text` file with a header line; return the texts."""
    _, rows = read_rows(path, width=2, expected="'language<TAB>text'")
    return [cells[1] for _, cells in rows]


def _digest(in_scope: list[str], off_topic: list[str]) -> str:
    joined = "\n".join(in_scope) + "\n\x00\n" + "\n".join(off_topic)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def vectors_path(space: str) -> Path:
    """Return where the shipped prototype vectors of a vector space live."""
    return DATA_DIR / f"scope.{space}.npz"


def prototype_vectors(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """Return (in-scope, off-topic) vectors: shipped ones when they match the texts, else fresh."""
    in_scope, off_topic = read_texts(IN_SCOPE), read_texts(OFF_TOPIC)
    shipped = vectors_path(vector_space(embedder))
    if shipped.exists():
        with np.load(shipped) as stored:
            if str(stored["digest"]) == _digest(in_scope, off_topic):
                return stored["in_scope"], stored["off_topic"]
    return _encode(embedder, in_scope, off_topic)


def _encode(
    embedder: Embedder, in_scope: list[str], off_topic: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    return embedder.encode(in_scope, kind="query"), embedder.encode(off_topic, kind="query")


class ScopeGuard:
    """Tells questions about the talks from questions the library was never meant to answer."""

    def __init__(
        self,
        embedder: Embedder,
        margin: float | None = None,
        tuning: AnswerTuning = ANSWER_TUNING,
    ) -> None:
        calibrated = tuning.calibrated_margins.get(weights_of(embedder.name))
        self.minimum = margin if margin is not None else calibrated
        self._nearest = tuning.scope_nearest
        self._off_topic_weight = tuning.off_topic_weight
        self._embedder = embedder
        self._vectors: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def active(self) -> bool:
        return self.minimum is not None

    def margin(self, query_vector: np.ndarray, best_cosine: float) -> float:
        """Return the scope margin of a question whose best passage has `best_cosine`."""
        if self._vectors is None:
            self._vectors = prototype_vectors(self._embedder)
        in_scope, off_topic = self._vectors
        return (
            best_cosine
            + _nearest_mean(in_scope @ query_vector, self._nearest)
            - self._off_topic_weight * _nearest_mean(off_topic @ query_vector, self._nearest)
        )

    def covers(self, margin: float) -> bool:
        """Return whether a question with this margin is in scope (always, if uncalibrated)."""
        return self.minimum is None or margin >= self.minimum


def _nearest_mean(similarities: np.ndarray, nearest: int) -> float:
    return float(np.sort(similarities)[-nearest:].mean())


def write_vectors(embedder: Embedder) -> Path:
    """Compute and save the prototype vectors for the embedder's vector space."""
    in_scope, off_topic = read_texts(IN_SCOPE), read_texts(OFF_TOPIC)
    in_vectors, off_vectors = _encode(embedder, in_scope, off_topic)
    path = vectors_path(vector_space(embedder))
    np.savez_compressed(
        path,
        in_scope=in_vectors.astype(np.float32),
        off_topic=off_vectors.astype(np.float32),
        digest=np.array(_digest(in_scope, off_topic)),
    )
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the shipped prototype vectors: python -m bot.answers.scope MODEL."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bot.answers.scope MODEL", file=sys.stderr)
        return 2
    print(write_vectors(load_embedder(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
