"""Readers for tests: a tiny random ONNX reader and a phrase-matching stand-in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def tiny_reader_folder(folder: Path, *, threshold: float = 0.0, seed: int = 7) -> Path:
    """Write a one-layer reader (random weights, e5's hidden size) and its card into `folder`."""
    import torch
    from transformers import BertConfig, BertModel

    from bot.reader.export import write_onnx
    from bot.reader.model import CARD_FILE, MODEL_FILE
    from bot.reader.network import ReaderNetwork
    from index.e5.packed import packed_e5

    torch.manual_seed(seed)
    hidden = packed_e5().header.hidden
    config = BertConfig(
        vocab_size=8,
        hidden_size=hidden,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    write_onnx(ReaderNetwork(BertModel(config, add_pooling_layer=False)), folder / MODEL_FILE)
    (folder / CARD_FILE).write_text(json.dumps({"threshold": threshold}), encoding="utf-8")
    return folder


@dataclass(frozen=True)
class PhraseSpan:
    """A span a PhraseReader found."""

    passage: int
    start: int
    end: int
    text: str
    margin: float


class PhraseReader:
    """A stand-in reader: a passage "answers" when it contains one of the known phrases.

    The margin is 5 where a phrase is found and -5 elsewhere, so thresholds between them
    separate the two.
    """

    def __init__(self, phrases: list[str], threshold: float = 0.0) -> None:
        self.phrases = phrases
        self.threshold = threshold
        self.questions: list[str] = []

    def read(self, question: str, passages: Sequence[str]) -> list[PhraseSpan]:
        self.questions.append(question)
        found = []
        for number, passage in enumerate(passages):
            phrase = next((p for p in self.phrases if p in passage), None)
            if phrase is None:
                found.append(PhraseSpan(number, 0, 3, passage[:3], -5.0))
            else:
                start = passage.index(phrase)
                found.append(PhraseSpan(number, start, start + len(phrase), phrase, 5.0))
        return sorted(found, key=lambda span: -span.margin)
