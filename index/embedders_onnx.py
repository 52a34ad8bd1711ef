"""ONNX Runtime embedders: a packaged sentence-transformers model exported locally, fp32 or int8.

The export runs once, from the packaged weights, into a cache folder; nothing is downloaded.
Only the export needs torch; encoding needs onnxruntime, tokenizers and numpy.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
import weakref
from pathlib import Path

import numpy as np

from index.embedder_base import EmbeddingModelError, TextKind, configured_threads

# Bumped whenever the export recipe changes, so stale caches are rebuilt rather than reused.
EXPORT_RECIPE = "bert-fused-v1"
# An export whose vectors drift further than this from the torch model is refused.
MIN_EXPORT_COSINE = 0.98
_PROBE_TEXTS = [
    "Delegations of Ukraine and Russia met in Istanbul to discuss a prisoner exchange.",
    "short text",
]

_live_embedders: weakref.WeakSet[OnnxEmbedder] = weakref.WeakSet()


def default_cache_dir() -> Path:
    """Return where exported models live: $NEGOBOT_MODEL_CACHE or ~/.cache/negobot/models."""
    configured = os.environ.get("NEGOBOT_MODEL_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "negobot" / "models"


def _source_stamp(model_dir: Path) -> dict[str, object]:
    weights = model_dir / "model.safetensors"
    return {
        "recipe": EXPORT_RECIPE,
        "source": str(model_dir),
        "weights_bytes": weights.stat().st_size if weights.exists() else None,
    }


def _read_json(path: Path) -> dict[str, object]:
    with open(path, encoding="utf-8") as handle:
        loaded = json.load(handle)
    return loaded if isinstance(loaded, dict) else {}


def _max_seq_length(model_dir: Path) -> int:
    config_path = model_dir / "sentence_bert_config.json"
    if config_path.exists():
        value = _read_json(config_path).get("max_seq_length")
        if isinstance(value, int):
            return value
    return 512


def ensure_onnx_export(model_dir: Path, cache_dir: Path, *, name: str) -> Path:
    """Return a folder holding model.onnx (fused fp32) and model_int8.onnx, exporting if needed."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as error:
        raise EmbeddingModelError(
            f"{name} ONNX variants need the package onnxruntime (pip install onnxruntime onnx)"
        ) from error
    target = cache_dir / name
    stamp = _source_stamp(model_dir)
    stamp_path = target / "export.json"
    if stamp_path.exists() and _read_json(stamp_path) == stamp:
        return target
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EmbeddingModelError(f"cannot create model cache {cache_dir}: {error}") from error
    # Build in a scratch folder beside the target and swap it in, so a crash or a second
    # process never leaves a half-written model where a loader would pick it up.
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache_dir))
    try:
        _export(model_dir, scratch)
        for file_name in ("tokenizer.json", "sentence_bert_config.json"):
            if (model_dir / file_name).exists():
                shutil.copy2(model_dir / file_name, scratch / file_name)
        (scratch / "export.json").write_text(json.dumps(stamp), encoding="utf-8")
        scratch.chmod(0o755)  # mkdtemp makes it private; the cache is shared like any model file
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            scratch.rename(target)
        except OSError:
            # Another process published the same export first; theirs is as good as ours.
            if not (target / "export.json").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _export(model_dir: Path, out_dir: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModel, AutoTokenizer

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

    sample = tokenizer(_PROBE_TEXTS, padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    # Reference vectors come first: tracing leaves the torch module unfit to run again.
    with torch.no_grad():
        hidden = model(**{key: sample[key] for key in names}).last_hidden_state.numpy()
    probe = {key: sample[key].numpy().astype(np.int64) for key in names}
    reference = _mean_pool(hidden, probe["attention_mask"])
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
    fused = optimizer.optimize_model(
        str(raw_path),
        model_type="bert",
        num_heads=int(model.config.num_attention_heads),
        hidden_size=int(model.config.hidden_size),
    )
    fused.save_model_to_file(str(out_dir / "model.onnx"))
    raw_path.unlink()
    import onnx

    quantize_dynamic(
        str(out_dir / "model.onnx"),
        str(out_dir / "model_int8.onnx"),
        per_channel=True,
        weight_type=QuantType.QInt8,
        # The fused ops come from ORT's own domain, where shape inference cannot type them.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    _check_export(out_dir, probe, reference)


def _check_export(out_dir: Path, probe: dict[str, np.ndarray], reference: np.ndarray) -> None:
    for file_name in ("model.onnx", "model_int8.onnx"):
        session = _session(out_dir / file_name, threads=1)
        feed = {key: probe[key] for key in _input_names(session)}
        vectors = _mean_pool(session.run(None, feed)[0], probe["attention_mask"])  # type: ignore[attr-defined]
        worst = float(np.min(np.sum(vectors * reference, axis=1)))
        if worst < MIN_EXPORT_COSINE:
            raise EmbeddingModelError(
                f"ONNX export {file_name} drifts from the torch model (cosine {worst:.3f})"
            )


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _session(path: Path, *, threads: int | None) -> object:
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _input_names(session: object) -> list[str]:
    return [item.name for item in session.get_inputs()]  # type: ignore[attr-defined]


class OnnxEmbedder:
    """A mean-pooled BERT-style encoder run by ONNX Runtime (fp32 or int8 weights)."""

    def __init__(
        self,
        export_dir: Path,
        *,
        name: str,
        quantized: bool,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        from tokenizers import Tokenizer

        self.name = name
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._model_path = export_dir / ("model_int8.onnx" if quantized else "model.onnx")
        try:
            self._tokenizer = Tokenizer.from_file(str(export_dir / "tokenizer.json"))
            self._session = _session(self._model_path, threads=configured_threads())
        except Exception as error:  # ORT and tokenizers raise their own exception types
            raise EmbeddingModelError(f"cannot load embedding model {name!r}: {error}") from error
        self.max_tokens = _max_seq_length(export_dir)
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.no_padding()
        self._inputs = _input_names(self._session)
        self.dimension = 0
        self.dimension = int(self._run(["dimension probe"]).shape[1])
        _live_embedders.add(self)

    def set_threads(self, count: int) -> None:
        """Rebuild the ORT session with `count` intra-op threads."""
        self._session = _session(self._model_path, threads=count)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(self.passage_prefix + text, add_special_tokens=False))

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._run([prefix + text for text in texts], batch_size=batch_size)

    def _run(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        vectors: np.ndarray | None = None
        # Batching texts of similar length keeps padding (wasted compute) small.
        order = sorted(range(len(texts)), key=lambda row: len(encodings[row].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[row].ids) for row in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for slot, row in enumerate(rows):
                length = len(encodings[row].ids)
                ids[slot, :length] = encodings[row].ids
                mask[slot, :length] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, {key: feed[key] for key in self._inputs})[0]  # type: ignore[attr-defined]
            pooled = _mean_pool(hidden, mask)
            if vectors is None:
                vectors = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[rows] = pooled
        assert vectors is not None  # texts is never empty here
        return vectors


def apply_threads(count: int) -> None:
    """Give every live ONNX embedder `count` threads (called by index.embedding.set_threads)."""
    for embedder in list(_live_embedders):
        embedder.set_threads(count)
