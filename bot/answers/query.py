"""A question as the answering stages take it: normalized, in a language, embedded, of a kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.answers.questions import is_status_question, question_language
from index.embedders.base import Embedder
from index.normalize import normalize_text


@dataclass(frozen=True, eq=False)
class Query:
    """One question to answer, with what every stage needs to know of it."""

    text: str  # normalized
    language: str  # of the answer
    vector: np.ndarray  # the question embedded as a query
    status: bool  # about the current state of the talks (always, for a named track)
    track: str | None = None  # a negotiation track asked about by id or name
    prefer: tuple[str, ...] = ()  # articles a conversation already cited
    focus: str | None = None  # a follow-up's own words, which pick the sentences
    frame: str | None = None  # the kind of fact wanted when the words do not say (answer_type)
    later: bool = False  # a follow-up asking what came after the reports it leans on


def make_query(
    embedder: Embedder,
    question: str,
    *,
    language_hint: str | None = None,
    track: str | None = None,
    prefer: Sequence[str] = (),
    focus: str | None = None,
    frame: str | None = None,
    later: bool = False,
) -> Query:
    """Normalize and embed a question, and tell its language and whether it asks about now."""
    text = normalize_text(question)
    return Query(
        text=text,
        language=question_language(text, language_hint),
        vector=embedder.encode([text], kind="query")[0],
        status=track is not None or is_status_question(text),
        track=track,
        prefer=tuple(prefer),
        focus=focus,
        frame=frame,
        later=later,
    )
