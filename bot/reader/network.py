"""The reader network: the e5 encoder with a start/end head; position 0 (<s>) means no answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from transformers import BertModel


class ReaderNetwork(nn.Module):
    """Span logits over a window; padding is masked so it never wins."""

    def __init__(self, encoder: BertModel) -> None:
        super().__init__()
        self.encoder = encoder
        self.span = nn.Linear(encoder.config.hidden_size, 2)

    def forward(
        self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(
            inputs_embeds=inputs_embeds, attention_mask=attention_mask
        ).last_hidden_state
        logits = self.span(hidden).masked_fill(attention_mask.unsqueeze(-1) == 0, -1e4)
        return logits[..., 0], logits[..., 1]

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Return the word embeddings of token ids (kept outside the exported graph)."""
        embeddings: torch.Tensor = self.encoder.embeddings.word_embeddings(ids)
        return embeddings


def build_network(*, frozen_layers: int) -> ReaderNetwork:
    """Return a reader over the shipped e5 encoder, word embeddings and lower layers frozen."""
    from index.e5.encoder import load_encoder

    encoder = load_encoder()
    encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    if frozen_layers:
        # Gradients stop at the first trainable layer only if everything below it is frozen.
        encoder.embeddings.requires_grad_(False)
    for layer in encoder.encoder.layer[:frozen_layers]:
        layer.requires_grad_(False)
    return ReaderNetwork(encoder)
