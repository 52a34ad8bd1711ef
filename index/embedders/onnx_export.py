"""Turning a traced encoder into the two files the ONNX engines run: fused fp32 and int8."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The ops ORT's optimiser leaves where a block's feed-forward applies its GELU.
GELU_OPS = frozenset({"Gelu", "BiasGelu", "FastGelu"})


def ffn_output_matmuls(graph: Any, layers: Iterable[int]) -> list[str]:
    """Return the names of the MatMuls fed by a GELU (each block's feed-forward output) in the
    given blocks, counted from 0 in graph order."""
    producers = {output: node for node in graph.node for output in node.output}
    fed_by_gelu = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul"
        and node.input[0] in producers
        and producers[node.input[0]].op_type in GELU_OPS
    ]
    return [fed_by_gelu[layer] for layer in sorted(set(layers))]


def fuse_and_quantise(
    raw_path: Path, out_dir: Path, *, heads: int, hidden: int, fp32_ffn_outputs: Iterable[int] = ()
) -> list[str]:
    """Write out_dir/model.onnx (attention fused) and model_int8.onnx; remove the raw trace.

    The feed-forward output MatMuls of the blocks in `fp32_ffn_outputs` stay fp32 in the int8
    file; returns their node names.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(raw_path), model_type="bert", num_heads=heads, hidden_size=hidden
    )
    fused.save_model_to_file(str(out_dir / "model.onnx"))
    raw_path.unlink()
    kept = ffn_output_matmuls(fused.model.graph, fp32_ffn_outputs)
    # The quantiser advises pre-processing meant for static (calibrated) quantisation; quiet it.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(
            str(out_dir / "model.onnx"),
            str(out_dir / "model_int8.onnx"),
            per_channel=True,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=kept,
            # The fused ops come from ORT's own domain, where shape inference cannot type them.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)
    return kept
