"""A tiny randomly initialised reader exported to ONNX, for fast tests of the reading path."""

from __future__ import annotations

import json
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
