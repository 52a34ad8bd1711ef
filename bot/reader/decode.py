"""From start/end logits to spans: the best span of each window against its no-answer score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.reader.features import Window

# Longest answer in tokens: news answers are names, numbers, dates and short phrases.
MAX_ANSWER_TOKENS = 30


@dataclass(frozen=True)
class Span:
    """The best answer the reader found in one passage, with its lead over "no answer"."""

    item: int
    start: int
    end: int
    score: float
    no_answer: float

    @property
    def margin(self) -> float:
        """How far the span's score is above the no-answer score (positive: it answers)."""
        return self.score - self.no_answer


def best_span(window: Window, start_logits: np.ndarray, end_logits: np.ndarray) -> Span | None:
    """Return the window's best span of at most MAX_ANSWER_TOKENS tokens, or None if it has none."""
    first = window.passage_start
    last = first + len(window.offsets)
    if last <= first:
        return None
    starts = start_logits[first:last]
    ends = end_logits[first:last]
    # scores[i, j] = start i + end j for j in i .. i + MAX_ANSWER_TOKENS - 1.
    scores = starts[:, None] + ends[None, :]
    length = scores.shape[0]
    rows, columns = np.indices((length, length))
    allowed = (columns >= rows) & (columns - rows < MAX_ANSWER_TOKENS)
    scores = np.where(allowed, scores, -np.inf)
    flat = int(np.argmax(scores))
    i, j = divmod(flat, length)
    start, end = window.token_span(first + i, first + j)
    return Span(
        item=window.item,
        start=start,
        end=end,
        score=float(scores[i, j]),
        no_answer=float(start_logits[0] + end_logits[0]),
    )


def best_per_item(spans: list[Span | None]) -> dict[int, Span]:
    """Keep each item's highest-scoring span; its no-answer score is the lowest of its windows."""
    best: dict[int, Span] = {}
    lowest_null: dict[int, float] = {}
    for span in spans:
        if span is None:
            continue
        lowest_null[span.item] = min(lowest_null.get(span.item, np.inf), span.no_answer)
        if span.item not in best or span.score > best[span.item].score:
            best[span.item] = span
    return {
        item: Span(span.item, span.start, span.end, span.score, lowest_null[item])
        for item, span in best.items()
    }


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a character span so it neither starts nor ends on spaces or stray punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end
