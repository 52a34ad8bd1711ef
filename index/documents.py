"""The records that flow through the index: articles, chunks and search hits."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit


def identifies_article(url: str) -> bool:
    """Return whether a URL names one article; a bare site address names a whole outlet."""
    if not url:
        return False
    path = urlsplit(url).path
    return bool(path.strip("/"))


@dataclass(frozen=True)
class Article:
    """One news article, normalised, as the loaders produce it."""

    title: str
    text: str
    published: date
    source: str
    url: str = ""
    language: str = ""
    id: str = ""

    @property
    def content_hash(self) -> str:
        payload = "\x1f".join([self.title, self.text, self.published.isoformat(), self.source])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]

    @property
    def key(self) -> str:
        """Stable identity: the given id, else the URL, else a hash of the text."""
        if self.id:
            return self.id
        if identifies_article(self.url):
            return "url:" + hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:24]
        return "txt:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Chunk:
    """A passage of an article, small enough for the embedding model's window."""

    article_id: str
    position: int
    text: str
    title: str
    published: date
    source: str
    url: str
    language: str

    @property
    def chunk_id(self) -> str:
        return f"{self.article_id}#{self.position}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(**{**data, "published": date.fromisoformat(data["published"])})


@dataclass(frozen=True)
class LoadProblem:
    """Why one file (or one line of it) could not be loaded."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass
class SearchHit:
    """One retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    dense_rank: int | None = None
    keyword_rank: int | None = None
    concept_rank: int | None = None
    # The chunk's row in the index generation that returned it, for looking up what it stores.
    row: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
