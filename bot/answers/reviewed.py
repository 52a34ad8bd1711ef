"""Reuse a moderator's approved correction for a question close enough to the one it answered."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

import numpy as np

from bot import i18n
from bot.answers.answer_types import Answer
from bot.answers.query import Query
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.embedders.base import Embedder
from index.embedders.registry import weights_of


class CorrectionLike(Protocol):
    """An approved moderator correction, as the log store returns it."""

    question: str
    corrected_answer: str
    language: str
    reviewed_at: datetime


class ReviewedAnswers:
    """Finds the approved correction nearest a question; the corrections are read per question."""

    def __init__(
        self,
        embedder: Embedder,
        corrections: Callable[[], Sequence[CorrectionLike]] | None,
        tuning: AnswerTuning = ANSWER_TUNING,
    ) -> None:
        self._embedder = embedder
        self._corrections = corrections
        # Each corrected question is embedded once, at the first question after its approval.
        self._vectors: dict[str, np.ndarray] = {}
        self._bar = tuning.correction_match.get(
            weights_of(embedder.name), tuning.default_correction_match
        )

    def match(self, query: Query) -> Answer | None:
        """Return the nearest correction as an answer, or None when none is close enough."""
        corrections = list(self._corrections()) if self._corrections else []
        if not corrections:
            return None
        unseen = [c.question for c in corrections if c.question not in self._vectors]
        if unseen:
            for text, vector in zip(
                unseen, self._embedder.encode(unseen, kind="query"), strict=True
            ):
                self._vectors[text] = vector
        best = max(corrections, key=lambda c: float(self._vectors[c.question] @ query.vector))
        if float(self._vectors[best.question] @ query.vector) < self._bar:
            return None
        language = query.language
        note = i18n.text(
            language, "reviewed", date=i18n.format_date(best.reviewed_at.date(), language)
        )
        return Answer(
            question=query.text,
            text=f"{best.corrected_answer}\n\n{note}",
            language=language,
            abstained=False,
            reviewed=True,
            mode="reviewed",
        )
