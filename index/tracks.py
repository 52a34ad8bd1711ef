"""Negotiation tracks: articles grouped by who negotiates with whom, found from the library itself.

Each article joins the track whose parties it names most alike (the parties weighed by how rare
they are in the library, so the United States, named in most reports as a mediator, counts for
less than Armenia); an article naming no track's parties enough founds a new track. Articles are
taken oldest first, and a track keeps the id it was founded with, so re-ingesting the same
library gives the same ids and a new article joins an existing track without moving any other.
A deployer may rename tracks or merge one into another (TrackOverrides).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.parties import Gazetteer, default_gazetteer

# Cosine of an article's parties with a track's below which the article founds a new track
# (on the sample libraries a report's own track scored at least 0.66, any other at most 0.28).
JOIN_SIMILARITY = 0.45
# Among tracks above the bar, text similarity breaks near ties.
TEXT_WEIGHT = 0.1
NAME_PARTIES = 2
# A third party is named when it is nearly as telling as the second.
THIRD_PARTY_SHARE = 0.8
_WORD = re.compile(r"[^\W\d_][\w'-]{3,}")
_STOPWORDS = frozenset(
    {
        "about", "after", "again", "against", "agree", "agreed", "agreement", "ahead", "also",
        "amid", "back", "been", "before", "between", "deal", "during", "first", "from", "have",
        "into", "last", "more", "over", "said", "says", "than", "that", "their", "them", "then",
        "these", "they", "this", "those", "talks", "under", "were", "what", "when", "which",
        "while", "will", "with", "would",
    }
)  # fmt: skip


@dataclass
class Track:
    """One negotiation: its stable id, who takes part, what its reports are about, its articles."""

    id: str
    parties: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    # A deployer's name for the track, per language; empty means made from parties and words.
    names: dict[str, str] = field(default_factory=dict)

    def name(self, language: str = "en", gazetteer: Gazetteer | None = None) -> str:
        """Return a readable name: the deployer's, else the parties named, else telling words."""
        if self.names:
            return (
                self.names.get(language) or self.names.get("en") or next(iter(self.names.values()))
            )
        gazetteer = gazetteer or default_gazetteer()
        parties = [
            gazetteer.parties[p].name(language) for p in self.parties if p in gazetteer.parties
        ]
        if parties:
            return " – ".join(parties)
        return ", ".join(self.words) or self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parties": self.parties,
            "words": self.words,
            "articles": self.articles,
            "names": self.names,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Track:
        return cls(
            id=str(data["id"]),
            parties=list(data.get("parties", [])),
            words=list(data.get("words", [])),
            articles=list(data.get("articles", [])),
            names=dict(data.get("names", {})),
        )


@dataclass(frozen=True)
class TrackOverrides:
    """A deployer's choices: names for track ids (per language), and tracks merged into others."""

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    merge: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleSignals:
    """What tracking needs of one article: its date, its vector, the parties and words it names."""

    key: str
    published: str
    vector: np.ndarray
    parties: Mapping[str, int]
    title: str


def article_words(title: str) -> Counter[str]:
    """Return the title's content words, lower-cased."""
    return Counter(word.lower() for word in _WORD.findall(title) if word.lower() not in _STOPWORDS)


def assign_tracks(
    previous: list[Track],
    signals: Mapping[str, ArticleSignals],
    overrides: TrackOverrides | None = None,
) -> list[Track]:
    """Return the tracks with every article in `signals` in one; kept articles keep their track."""
    overrides = overrides or TrackOverrides()
    idf = _party_idf(signals.values())
    tracks = [Track(t.id, articles=[key for key in t.articles if key in signals]) for t in previous]
    tracks = [track for track in tracks if track.articles]
    placed = {key for track in tracks for key in track.articles}
    profiles = [_Profile.of(track.articles, signals, idf) for track in tracks]
    waiting = sorted(
        (s for s in signals.values() if s.key not in placed), key=lambda s: (s.published, s.key)
    )
    for article in waiting:
        vector = _party_vector(article.parties, idf)
        chosen = _best_track(article, vector, profiles)
        if chosen is None:
            track = Track(_new_id(article, {t.id for t in tracks}))
            tracks.append(track)
            profiles.append(_Profile(dict(vector), article.vector.astype(np.float64)))
            chosen = len(tracks) - 1
        else:
            profiles[chosen].add(vector, article.vector)
        tracks[chosen].articles.append(article.key)
    tracks = _merged(tracks, overrides.merge)
    for track in tracks:
        track.articles.sort(key=lambda key: (signals[key].published, key))
        track.parties = _telling_parties(track, signals)
        track.words = _telling_words(track, signals)
        track.names = dict(overrides.names.get(track.id, {}))
    return sorted(tracks, key=lambda t: t.id)


@dataclass
class _Profile:
    """A track's parties (summed unit vectors of its articles') and its summed text vector."""

    parties: dict[str, float]
    text: np.ndarray

    @classmethod
    def of(
        cls, keys: list[str], signals: Mapping[str, ArticleSignals], idf: dict[str, float]
    ) -> _Profile:
        profile = cls({}, np.zeros_like(signals[keys[0]].vector, dtype=np.float64))
        for key in keys:
            profile.add(_party_vector(signals[key].parties, idf), signals[key].vector)
        return profile

    def add(self, parties: dict[str, float], text: np.ndarray) -> None:
        for party, weight in parties.items():
            self.parties[party] = self.parties.get(party, 0.0) + weight
        self.text = self.text + text

    def party_similarity(self, vector: dict[str, float]) -> float:
        norm = math.sqrt(sum(w * w for w in self.parties.values()))
        if not norm:
            return 0.0
        return sum(vector.get(p, 0.0) * w for p, w in self.parties.items()) / norm

    def text_similarity(self, vector: np.ndarray) -> float:
        norm = float(np.linalg.norm(self.text)) * float(np.linalg.norm(vector))
        return float(self.text @ vector) / norm if norm else 0.0


def _best_track(
    article: ArticleSignals, vector: dict[str, float], profiles: list[_Profile]
) -> int | None:
    """Return the position of the track the article joins, or None to found a new one."""
    if not profiles:
        return None
    if not vector:
        # A report naming no party goes with the track it reads most like.
        return max(range(len(profiles)), key=lambda i: profiles[i].text_similarity(article.vector))
    scored = [
        (profile.party_similarity(vector), profile.text_similarity(article.vector), number)
        for number, profile in enumerate(profiles)
    ]
    eligible = [s for s in scored if s[0] >= JOIN_SIMILARITY]
    if not eligible:
        return None
    return max(eligible, key=lambda s: (s[0] + TEXT_WEIGHT * s[1], -s[2]))[2]


def _party_idf(signals: Any) -> dict[str, float]:
    articles = list(signals)
    frequency = Counter(party for article in articles for party in article.parties)
    total = len(articles)
    return {party: math.log((1 + total) / (1 + count)) + 1 for party, count in frequency.items()}


def _party_vector(parties: Mapping[str, int], idf: dict[str, float]) -> dict[str, float]:
    weights = {party: count * idf.get(party, 1.0) for party, count in parties.items() if count}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {party: w / norm for party, w in weights.items()} if norm else {}


def _slug(words: list[str]) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")


def _new_id(article: ArticleSignals, taken: set[str]) -> str:
    """Name a new track after its first article's two most named parties (else title words)."""
    ranked = sorted(article.parties.items(), key=lambda item: (-item[1], item[0]))
    base = _slug(sorted(party for party, _ in ranked[:NAME_PARTIES]))
    if not base:
        base = _slug([word for word, _ in article_words(article.title).most_common(2)]) or "track"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _merged(tracks: list[Track], merge: Mapping[str, str]) -> list[Track]:
    """Move the articles of every track a deployer merged into another (made if missing)."""
    by_id = {track.id: track for track in tracks}
    for source, target in merge.items():
        if source not in by_id or source == target:
            continue
        moving = by_id.pop(source)
        by_id.setdefault(target, Track(target)).articles.extend(moving.articles)
    return list(by_id.values())


def _telling_parties(track: Track, signals: Mapping[str, ArticleSignals]) -> list[str]:
    """Return the parties the track's reports name most, and name more than other reports do."""
    inside: Counter[str] = Counter()
    for key in track.articles:
        inside.update(signals[key].parties)
    everywhere: Counter[str] = Counter()
    for article in signals.values():
        everywhere.update(article.parties)
    score = {p: n * math.sqrt(n / everywhere[p]) for p, n in inside.items()}
    ranked = sorted(score, key=lambda p: (-score[p], p))
    chosen = ranked[:NAME_PARTIES]
    if len(ranked) > NAME_PARTIES and score[ranked[2]] >= THIRD_PARTY_SHARE * score[ranked[1]]:
        chosen.append(ranked[2])
    return chosen


def _telling_words(
    track: Track, signals: Mapping[str, ArticleSignals], count: int = 3
) -> list[str]:
    """Return the title words most frequent in the track's reports and rare in the others."""
    inside: Counter[str] = Counter()
    for key in track.articles:
        inside.update(set(article_words(signals[key].title)))
    frequency: Counter[str] = Counter()
    for article in signals.values():
        frequency.update(set(article_words(article.title)))
    total = len(signals)
    score = {w: n * math.log((1 + total) / frequency[w]) for w, n in inside.items()}
    return sorted(score, key=lambda w: (-score[w], w))[:count]
