"""Decide whether a question is about what the library reports on, before trusting the best passage.

A cosine threshold alone cannot tell "what's the weather in Kyiv tomorrow?" (close to passages that
mention Kyiv) from a Russian question about an English report (cross-language cosines run lower).
So the question is also compared with short texts written for this purpose
(bot/answers/data/): questions a user of a negotiations bot would send (general ones, plus the
deployment profile's own), and things people ask a news bot that the library does not cover
(weather, prices, sport, chit-chat ...). Questions about other negotiations
(bot/answers/data/other_negotiations.tsv, each with the parties it is about) count as off-topic
while the library holds no track of those parties, and as in scope once it holds one: the
library, not a list, decides which negotiations are covered, and a question about one it holds
is drawn towards the in-scope side rather than merely no longer pushed away. The held tracks'
parties also bring off-topic texts about themselves that are no negotiation (population, weather,
sport ...: bot/answers/data/party_off_topic.tsv), since a library of several negotiations draws
such questions close to its reports by a name alone. The scope margin is

    best passage cosine + mean of the 3 nearest in-scope texts - 2 x mean of the 3 nearest
    off-topic texts

and the question is taken to be out of scope below a margin calibrated per model, together with
the cosine threshold, by `bench/bench_answers.py --calibrate` (docs/benchmarks.md). The vectors
of every packaged text are computed by `python -m bot.answers.scope MODEL` and shipped, so
starting the bot costs no extra encoding; other texts (or models) are encoded at their first use.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from bot.profile import PROFILES_DIR, active_profile
from index.embedders.base import Embedder, vector_space
from index.embedders.registry import load_embedder, weights_of
from index.parties import Gazetteer, default_gazetteer
from index.tsv import read_rows

DATA_DIR = Path(__file__).resolve().parent / "data"
IN_SCOPE = DATA_DIR / "in_scope.tsv"
OFF_TOPIC = DATA_DIR / "off_topic.tsv"
OTHER_NEGOTIATIONS = DATA_DIR / "other_negotiations.tsv"
PARTY_OFF_TOPIC = DATA_DIR / "party_off_topic.tsv"

Negotiation = tuple[frozenset[str], str]


def read_texts(path: Path) -> list[str]:
    """Read a `language<TAB>text` file with a header line; return the texts."""
    _, rows = read_rows(path, width=2, expected="'language<TAB>text'")
    return [cells[1] for _, cells in rows]


@cache
def read_negotiations(path: Path = OTHER_NEGOTIATIONS) -> tuple[Negotiation, ...]:
    """Read a `parties<TAB>language<TAB>text` file: (the party ids, the text) per line."""
    _, rows = read_rows(path, width=3, expected="'parties<TAB>language<TAB>text'")
    return tuple((frozenset(cells[0].split()), cells[2]) for _, cells in rows)


_texts = cache(read_texts)


def _held(parties: frozenset[str], tracks: Sequence[Sequence[str]]) -> bool:
    return any(parties <= set(track) for track in tracks)


def uncovered(negotiations: Sequence[Negotiation], tracks: Sequence[Sequence[str]]) -> list[str]:
    """Return the texts about negotiations none of the library's tracks (their parties) holds."""
    return [text for parties, text in negotiations if not _held(parties, tracks)]


def covered(negotiations: Sequence[Negotiation], tracks: Sequence[Sequence[str]]) -> list[str]:
    """Return the texts about negotiations one of the library's tracks holds."""
    return [text for parties, text in negotiations if _held(parties, tracks)]


@cache
def read_templates(path: Path = PARTY_OFF_TOPIC) -> tuple[tuple[str, str], ...]:
    """Read a `language<TAB>template` file: (language, template with {party}) per line."""
    _, rows = read_rows(path, width=2, expected="'language<TAB>template'")
    return tuple((cells[0], cells[1]) for _, cells in rows)


def about_held_parties(
    tracks: Sequence[Sequence[str]], gazetteer: Gazetteer | None = None
) -> list[str]:
    """Off-topic texts about the held tracks' parties that are not about their negotiations.

    A library of several negotiations draws questions about its parties that are no negotiation
    at all (a party's population, economy, weather, sport): close to its reports by the names
    alone. Each template is filled with each held party's name in the template's language.
    """
    names = gazetteer or default_gazetteer()
    parties = dict.fromkeys(party for track in tracks for party in track if party in names.parties)
    return [
        template.format(party=names.parties[party].name(language))
        for language, template in read_templates()
        for party in parties
    ]


Tracks = tuple[tuple[str, ...], ...]


def _hashable(tracks: Sequence[Sequence[str]]) -> Tracks:
    return tuple(tuple(parties) for parties in tracks)


# The texts depend only on the profile's files and the library's tracks, not on the question:
# made once per library rather than at every question.
@cache
def in_scope_texts(extra: tuple[Path, ...], tracks: Tracks) -> tuple[str, ...]:
    """The general in-scope texts, a profile's own, and those on the negotiations held."""
    texts = _texts(IN_SCOPE) + [text for path in extra for text in _texts(path)]
    return tuple(texts + covered(read_negotiations(), tracks))


@cache
def off_topic_texts(tracks: Tracks) -> tuple[str, ...]:
    """The off-topic texts, those on negotiations not held, and the everyday ones on its parties."""
    return tuple(
        _texts(OFF_TOPIC) + uncovered(read_negotiations(), tracks) + about_held_parties(tracks)
    )


def shipped_texts() -> list[str]:
    """Every packaged text: general in-scope, each packaged profile's, off-topic, negotiations."""
    profiles = sorted(PROFILES_DIR.glob("*.in_scope.tsv"))
    texts = [*read_texts(IN_SCOPE), *(t for path in profiles for t in read_texts(path))]
    texts += read_texts(OFF_TOPIC) + [text for _, text in read_negotiations()]
    return list(dict.fromkeys(texts))


def vectors_path(space: str) -> Path:
    """Return where the shipped prototype vectors of a vector space live."""
    return DATA_DIR / f"scope.{space}.npz"


class PrototypeVectors:
    """Query vectors of prototype texts: shipped ones where they exist, else encoded once."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._known: dict[str, np.ndarray] = {}
        shipped = vectors_path(vector_space(embedder))
        if shipped.exists():
            with np.load(shipped) as stored:
                # A file of another layout is ignored: its texts are encoded as if none shipped.
                if {"texts", "vectors"} <= set(stored.files):
                    known = zip(stored["texts"].tolist(), stored["vectors"], strict=True)
                    self._known = dict(known)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """Return one row per text, in order."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        if missing:
            encoded = self._embedder.encode(missing, kind="query")
            self._known.update(zip(missing, encoded, strict=True))
        if not texts:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack([self._known[text] for text in texts])


class ScopeGuard:
    """Tells questions about the library's negotiations from those it was never meant to answer."""

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
        self._vectors = PrototypeVectors(embedder)
        self._in_scope: dict[tuple[str, ...], np.ndarray] = {}
        self._off_topic: dict[tuple[str, ...], np.ndarray] = {}

    @property
    def active(self) -> bool:
        return self.minimum is not None

    def margin(
        self, query_vector: np.ndarray, best_cosine: float, tracks: Sequence[Sequence[str]] = ()
    ) -> float:
        """Return the scope margin of a question whose best passage has `best_cosine`.

        `tracks` are the parties of each negotiation track the library holds.
        """
        in_scope = self.in_scope_vectors(active_profile().in_scope, tracks)
        off_topic = self.off_topic_vectors(tracks)
        return (
            best_cosine
            + _nearest_mean(in_scope @ query_vector, self._nearest)
            - self._off_topic_weight * _nearest_mean(off_topic @ query_vector, self._nearest)
        )

    def in_scope_vectors(
        self, extra: Sequence[Path] = (), tracks: Sequence[Sequence[str]] = ()
    ) -> np.ndarray:
        """The general in-scope texts' vectors, a profile's own, and the negotiations held."""
        texts = in_scope_texts(tuple(extra), _hashable(tracks))
        if texts not in self._in_scope:
            self._in_scope[texts] = self._vectors.matrix(texts)
        return self._in_scope[texts]

    def off_topic_vectors(self, tracks: Sequence[Sequence[str]] = ()) -> np.ndarray:
        """The off-topic texts' vectors, the negotiations the library does not hold, and the
        texts about its parties that are not about their negotiations."""
        texts = off_topic_texts(_hashable(tracks))
        if texts not in self._off_topic:
            self._off_topic[texts] = self._vectors.matrix(texts)
        return self._off_topic[texts]

    def covers(self, margin: float) -> bool:
        """Return whether a question with this margin is in scope (always, if uncalibrated)."""
        return self.minimum is None or margin >= self.minimum


def _nearest_mean(similarities: np.ndarray, nearest: int) -> float:
    return float(np.sort(similarities)[-nearest:].mean())


def write_vectors(embedder: Embedder) -> Path:
    """Compute and save the vectors of every packaged text for the embedder's vector space."""
    texts = shipped_texts()
    vectors = embedder.encode(texts, kind="query")
    path = vectors_path(vector_space(embedder))
    np.savez_compressed(path, texts=np.array(texts), vectors=vectors.astype(np.float32))
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
