"""Compose: the sentences an answer quotes, in the order it gives them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot import i18n
from bot.answers.preferring import focused
from bot.answers.query import Query
from bot.answers.reading import Finding, Reading
from bot.answers.retrieval import Retrieval
from bot.answers.sentences import Candidate, SentencePicker
from index.documents import SearchHit

# The vectors ingest stored for the sentences of some passages (Searcher.stored_sentence_vectors).
StoredVectors = Callable[[list[SearchHit]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Composition:
    """The sentences an answer quotes, in order, and the reader's finding that leads them."""

    sentences: list[Candidate]
    finding: Finding | None = None

    @property
    def mode(self) -> str:
        """How the sentences were chosen: by the reader's finding, or by the picker alone."""
        return "extractive" if self.finding is None else "reader"


def compose(
    picker: SentencePicker,
    query: Query,
    retrieval: Retrieval,
    reading: Reading | None,
    *,
    passages: int,
    count: int,
    support: int,
    stored: StoredVectors,
) -> Composition:
    """Pick `count` sentences of the top `passages`; lead with the reader's finding, if any.

    A follow-up's own words (its focus) pick the sentences; a status question's are given newest
    first, the older ones dated; a finding is followed by `support` of the picked sentences.
    """
    top = retrieval.passages[:passages]
    chosen = picker.choose(
        query.focus or query.text,
        focused(picker.embedder, query.focus, query.vector),
        top,
        stored=stored(top),
        status=query.status,
        language=query.language,
        count=count,
        frame=query.frame,
    )
    finding = reading.findings[0] if reading is not None else None
    if finding is not None:
        chosen = answered_first(finding, chosen, support)
    if query.status:
        newest_first(chosen, query.language)
    return Composition(chosen, finding)


def newest_first(chosen: list[Candidate], language: str) -> None:
    """Sort sentences newest first and date the older ones, so none reads as current."""
    chosen.sort(key=lambda c: c.chunk.published, reverse=True)
    newest = chosen[0].chunk.published
    for candidate in chosen:
        if candidate.chunk.published < newest and not candidate.note:
            when = i18n.format_date(candidate.chunk.published, language)
            candidate.note = i18n.text(language, "reported_on", date=when)


def answered_first(finding: Finding, chosen: Sequence[Candidate], support: int) -> list[Candidate]:
    """Lead with the sentence that answers, then up to `support` other chosen sentences."""
    lead = Candidate(text=finding.sentence, chunk=finding.hit.chunk, score=finding.margin)
    others = [
        candidate
        for candidate in chosen
        if candidate.text not in finding.sentence and finding.sentence not in candidate.text
    ]
    return [lead, *others[:support]]
