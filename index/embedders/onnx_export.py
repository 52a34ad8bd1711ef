"""Turning a traced encoder into the two files the ONNX engines run: fused fp32 and int8."""

from __future__ import annotations

import logging
from pathlib import Path


def fuse_and_quantise(raw_path: Path, out_dir: Path, *, heads: int, hidden: int) -> None:
    """Write out_dir/model.onnx (attention fused) and model_int8.onnx; remove the raw trace."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(raw_path), model_type="bert", num_heads=heads, hidden_size=hidden
    )
    fused.save_model_to_file(str(out_dir / "model.onnx"))
    raw_path.unlink()
    # The quantiser advises pre-processing meant for static (calibrated) quantisation; quiet it.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(
            str(out_dir / "model.onnx"),
            str(out_dir / "model_int8.onnx"),
            per_channel=True,
            weight_type=QuantType.QInt8,
            # The fused ops come from ORT's own domain, where shape inference cannot type them.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)
