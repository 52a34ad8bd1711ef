"""What an answer is, independent of how it was produced or where it is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Citation:
    """A source the answer cites, numbered in the order it is first used."""

    number: int
    title: str
    source: str
    published: date
    url: str
    score: float
    text: str
    article_id: str = ""
    chunk_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source,
            "published": self.published.isoformat(),
            "url": self.url,
            "score": round(self.score, 4),
            "text": self.text,
        }


@dataclass
class Answer:
    """An answer ready to show: plain text whose [n] markers refer to `sources`."""

    question: str
    text: str
    language: str
    abstained: bool
    as_of: date | None = None
    sources: list[Citation] = field(default_factory=list)
    reviewed: bool = False
    mode: str = "extractive"
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    # How far inside the bot's subject the question lies (bot/answers/scope.py); None when not
    # measured.
    scope_margin: float | None = None
    log_id: str | None = None  # the log row's public uid, also carried by feedback buttons
    # Why the answer declined (abstained only): outside_dates, below_threshold, off_topic or
    # no_answer_found (the reader or the generative model read the passages and found no
    # answer); shown to moderators, never to the asker.
    abstain_reason: str | None = None
    # The reader's answer inside the text (shown in bold) and its lead over "no answer".
    highlight: str | None = None
    reader_margin: float | None = None
    # A follow-up as it was answered: with the subject of the conversation it leans on.
    resolved_question: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "language": self.language,
            "abstained": self.abstained,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "reviewed": self.reviewed,
            "highlight": self.highlight,
            "sources": [citation.to_json() for citation in self.sources],
        }
