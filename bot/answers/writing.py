"""Write: let a generative model, when one is set, rewrite a cited answer from its sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.answers.answer_types import Citation
from bot.answers.citing import Cited
from bot.answers.deciding import Decline, no_answer_text
from bot.answers.query import Query

# What a generator writes when the passages it read do not answer the question.
NO_ANSWER = "NO_ANSWER"


class Generator(Protocol):
    """Writes an answer from numbered passages; None means 'use the extractive answer'."""

    def write(self, question: str, language: str, passages: Sequence[Citation]) -> str | None:
        """Return answer text with [n] citations, NO_ANSWER, or None on any failure.

        NO_ANSWER means the passages were read and do not answer the question.
        """
        ...


def write(generator: Generator | None, query: Query, cited: Cited) -> Cited | Decline:
    """Return the model's rewrite of the cited answer, the answer unchanged, or a decline."""
    if generator is None:
        return cited
    written = generator.write(query.text, query.language, cited.sources)
    if written == NO_ANSWER:
        # The model read the passages and found no answer in them: the honest reply is that
        # the sources do not say, not the extractive sentences it just rejected.
        return Decline("no_answer_found", no_answer_text(query.language), mode="generative")
    return cited.rewritten(written) if written else cited
