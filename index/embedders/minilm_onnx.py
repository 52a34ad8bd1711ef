"""all-MiniLM-L6-v2 on ONNX Runtime, fp32 or int8, exported once from the packaged weights."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np

from index.embedders.base import Embedder, EmbeddingModelError, LoadOptions
from index.embedders.onnx_runtime import (
    OnnxEmbedder,
    default_cache_dir,
    ensure_built,
    input_names,
    mean_pool,
    read_json,
    require_onnxruntime,
    session,
)
from index.embedders.sentence_transformers import MINILM, packaged_minilm_path

MINILM_ONNX = "all-MiniLM-L6-v2-onnx"
MINILM_INT8 = "all-MiniLM-L6-v2-int8"
# Bumped whenever the export recipe changes, so stale caches are rebuilt rather than reused.
EXPORT_RECIPE = "bert-fused-v1"
# An export whose vectors drift further than this from the torch model is refused.
MIN_EXPORT_COSINE = 0.98
PROBE_TEXTS = [
    "Delegations of Ukraine and Russia met in Istanbul to discuss a prisoner exchange.",
    "short text",
]


def _max_seq_length(model_dir: Path) -> int:
    config_path = model_dir / "sentence_bert_config.json"
    if config_path.exists():
        value = read_json(config_path).get("max_seq_length")
        if isinstance(value, int):
            return value
    return 512


def ensure_onnx_export(model_dir: Path, cache_dir: Path) -> Path:
    """Return a folder holding model.onnx (fused fp32) and model_int8.onnx, exporting if needed."""
    require_onnxruntime(MINILM_ONNX)
    weights = model_dir / "model.safetensors"
    stamp: dict[str, object] = {
        "recipe": EXPORT_RECIPE,
        "source": str(model_dir),
        "weights_bytes": weights.stat().st_size if weights.exists() else None,
    }

    def build(folder: Path) -> None:
        _export(model_dir, folder)
        for file_name in ("tokenizer.json", "sentence_bert_config.json"):
            if (model_dir / file_name).exists():
                shutil.copy2(model_dir / file_name, folder / file_name)

    return ensure_built(cache_dir / MINILM, stamp, build, name=MINILM)


def _export(model_dir: Path, out_dir: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from index.embedders.onnx_export import fuse_and_quantise

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    # Eager attention traces to plain MatMul/Softmax, which ORT fuses into one Attention op.
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class _Encoder(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tokenizer(PROBE_TEXTS, padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    # Reference vectors come first: tracing leaves the torch module unfit to run again.
    with torch.no_grad():
        hidden = model(**{key: sample[key] for key in names}).last_hidden_state.numpy()
    probe = {key: sample[key].numpy().astype(np.int64) for key in names}
    reference = mean_pool(hidden, probe["attention_mask"])
    raw_path = out_dir / "raw.onnx"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Encoder(model),
            tuple(sample[key] for key in names),
            str(raw_path),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={key: {0: "batch", 1: "tokens"} for key in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
    fuse_and_quantise(
        raw_path,
        out_dir,
        heads=int(model.config.num_attention_heads),
        hidden=int(model.config.hidden_size),
    )
    _check_export(out_dir, probe, reference)


def _check_export(out_dir: Path, probe: dict[str, np.ndarray], reference: np.ndarray) -> None:
    for file_name in ("model.onnx", "model_int8.onnx"):
        onnx_session = session(out_dir / file_name, threads=1)
        feed = {key: probe[key] for key in input_names(onnx_session)}
        vectors = mean_pool(onnx_session.run(None, feed)[0], probe["attention_mask"])  # type: ignore[attr-defined]
        worst = float(np.min(np.sum(vectors * reference, axis=1)))
        if worst < MIN_EXPORT_COSINE:
            raise EmbeddingModelError(
                f"ONNX export {file_name} drifts from the torch model (cosine {worst:.3f})"
            )


def _load(name: str, options: LoadOptions) -> Embedder:
    export_dir = ensure_onnx_export(
        Path(packaged_minilm_path()), options.cache_dir or default_cache_dir()
    )
    quantised = name == MINILM_INT8
    window = _max_seq_length(export_dir)
    return OnnxEmbedder(
        export_dir / ("model_int8.onnx" if quantised else "model.onnx"),
        export_dir / "tokenizer.json",
        name=name,
        max_tokens=window,
        window=window,
    )


def load_fp32(options: LoadOptions) -> Embedder:
    """The registry's factory for MiniLM's fused fp32 export."""
    return _load(MINILM_ONNX, options)


def load_int8(options: LoadOptions) -> Embedder:
    """The registry's factory for MiniLM's int8 export."""
    return _load(MINILM_INT8, options)
