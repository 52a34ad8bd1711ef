"""Read the retrieved passages with the extractive reader: which sentence answers, and where."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.answers.query import Query
from bot.answers.tuning import ANSWER_TUNING
from index.chunking import split_sentences
from index.documents import SearchHit


class FoundSpan(Protocol):
    """A span the reader found: which passage, where, and how far it beats "no answer"."""

    @property
    def passage(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def margin(self) -> float: ...


class PassageReader(Protocol):
    """What the answering path needs of a reader (bot.reader.model.Reader fits)."""

    threshold: float

    def read(self, question: str, passages: Sequence[str]) -> Sequence[FoundSpan]:
        """Return one best span per passage, best margin first."""
        ...


@dataclass(frozen=True)
class Finding:
    """A sentence of a retrieved passage that answers the question, and the answer in it."""

    hit: SearchHit
    sentence: str
    span: str
    margin: float


@dataclass(frozen=True)
class Reading:
    """What the reader made of the passages: answering findings (best first) and the best margin."""

    findings: list[Finding]
    best_margin: float | None


def read_hits(
    reader: PassageReader,
    question: str,
    hits: Sequence[SearchHit],
    count: int = ANSWER_TUNING.read_passages,
) -> Reading:
    """Read the top `count` passages; keep the spans whose margin beats the reader's threshold."""
    passages = [hit.chunk.text for hit in hits[:count]]
    if not passages:
        return Reading([], None)
    found = reader.read(question, passages)
    findings = []
    for span in found:
        if span.margin <= reader.threshold or not span.text.strip():
            continue
        hit = hits[span.passage]
        sentence = sentence_at(hit.chunk.text, span.start, span.end)
        findings.append(Finding(hit, sentence, " ".join(span.text.split()), span.margin))
    return Reading(findings, max((span.margin for span in found), default=None))


def read(
    reader: PassageReader | None,
    query: Query,
    passages: Sequence[SearchHit],
    *,
    count: int = ANSWER_TUNING.read_passages,
    declines: bool = False,
) -> Reading | None:
    """Read the top passages for the question; None leaves the answer to the sentence picker.

    A question on the state of the talks wants a summary, not one span. A reading that found
    nothing counts only when the reader `declines` (answers without a finding otherwise).
    """
    if reader is None or query.status:
        return None
    reading = read_hits(reader, query.text, passages, count)
    return reading if reading.findings or declines else None


def sentence_at(text: str, start: int, end: int) -> str:
    """Return the sentence (or sentences) of `text` that hold the characters start..end."""
    flat = " ".join(text.split())
    # Offsets in the whitespace-collapsed text that split_sentences works on.
    before = " ".join(text[:start].split())
    flat_start = len(before) + (1 if before and text[start - 1].isspace() else 0)
    flat_end = flat_start + len(" ".join(text[start:end].split()))
    covering: list[str] = []
    cursor = 0
    for sentence in split_sentences(text):
        position = flat.find(sentence, cursor)
        if position < 0:
            continue
        cursor = position + len(sentence)
        if position < flat_end and flat_start < cursor:
            covering.append(sentence)
    return " ".join(covering) or " ".join(text[start:end].split())
