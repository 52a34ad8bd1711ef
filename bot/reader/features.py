"""Questions and passages as the reader's input windows: <s> question </s></s> passage </s>."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

from index.e5.tokenizer import e5_tokenizer

BEGIN, PAD, END = 0, 1, 2
# Window and stride in tokens: a 256-token window holds a typical news paragraph with the
# question; overlapping by half keeps every answer whole in at least one window.
WINDOW = 256
STRIDE = 128
MAX_QUESTION_TOKENS = 48
# Special tokens in a window: <s> before the question, </s></s> between, </s> at the end.
SPECIALS = 4


@dataclass(frozen=True)
class Window:
    """One window of a passage with its question; offsets map passage tokens to characters."""

    item: int
    ids: tuple[int, ...]
    passage_start: int
    offsets: tuple[tuple[int, int], ...]
    start_label: int = 0
    end_label: int = 0

    def token_span(self, first: int, last: int) -> tuple[int, int]:
        """Return the passage's character span covered by window tokens first..last."""
        start = self.offsets[first - self.passage_start][0]
        end = self.offsets[last - self.passage_start][1]
        return start, end


def question_ids(question: str, tokenizer: Tokenizer | None = None) -> list[int]:
    """Return the question's token ids, cut to the budget a window leaves for it."""
    tokenizer = tokenizer or e5_tokenizer()
    return tokenizer.encode(question).ids[:MAX_QUESTION_TOKENS]


def windows(
    item: int,
    question: Sequence[int],
    passage: str,
    *,
    answer: tuple[int, int] | None = None,
    tokenizer: Tokenizer | None = None,
    window: int = WINDOW,
    stride: int = STRIDE,
) -> list[Window]:
    """Cut a passage into overlapping windows after the question.

    `answer` is the (start, end) character span of the answer when training; windows that do
    not hold it whole point at <s> (no answer), as in SQuAD 2.0.
    """
    tokenizer = tokenizer or e5_tokenizer()
    encoding = tokenizer.encode(passage)
    ids, offsets = encoding.ids, encoding.offsets
    budget = window - len(question) - SPECIALS
    head = [BEGIN, *question, END, END]
    result: list[Window] = []
    first = 0
    while True:
        last = min(first + budget, len(ids))
        start_label = end_label = 0
        if answer is not None:
            start_label, end_label = _labels(offsets, first, last, answer, len(head))
        result.append(
            Window(
                item=item,
                ids=(*head, *ids[first:last], END),
                passage_start=len(head),
                offsets=tuple(offsets[first:last]),
                start_label=start_label,
                end_label=end_label,
            )
        )
        if last >= len(ids):
            return result
        first += min(stride, budget)


def _labels(
    offsets: list[tuple[int, int]], first: int, last: int, answer: tuple[int, int], shift: int
) -> tuple[int, int]:
    answer_start, answer_end = answer
    if not offsets or offsets[first][0] > answer_start or offsets[last - 1][1] < answer_end:
        return 0, 0
    start = next(i for i in range(first, last) if offsets[i][1] > answer_start)
    end = next(i for i in range(last - 1, first - 1, -1) if offsets[i][0] < answer_end)
    if end < start:
        return 0, 0
    return start - first + shift, end - first + shift


def batch_arrays(batch: Sequence[Window]) -> tuple[np.ndarray, np.ndarray]:
    """Return (token ids, attention mask) padded to the longest window of the batch."""
    length = max(len(window.ids) for window in batch)
    ids = np.full((len(batch), length), PAD, dtype=np.int64)
    mask = np.zeros((len(batch), length), dtype=np.int64)
    for row, window in enumerate(batch):
        ids[row, : len(window.ids)] = window.ids
        mask[row, : len(window.ids)] = 1
    return ids, mask
