"""Which MatMuls the int8 e5 build keeps in fp32: each block's feed-forward output."""

from __future__ import annotations

import pytest

from index.embedders.onnx_export import ffn_output_matmuls

onnx = pytest.importorskip("onnx")


def _encoder_graph(blocks: int) -> object:
    """A graph shaped like the fused encoder: per block an attention projection, the
    feed-forward input MatMul, its BiasGelu and the feed-forward output MatMul."""
    from onnx import helper

    nodes, previous = [], "x"
    for block in range(blocks):
        prefix = f"/inner/encoder/layer.{block}"
        nodes += [
            helper.make_node(
                "MatMul",
                [previous, "w_attention"],
                [f"a{block}"],
                name=f"{prefix}/attention/output/dense/MatMul",
            ),
            helper.make_node(
                "MatMul",
                [f"a{block}", "w_in"],
                [f"i{block}"],
                name=f"{prefix}/intermediate/dense/MatMul",
            ),
            helper.make_node("BiasGelu", [f"i{block}", "bias"], [f"g{block}"], name=f"gelu{block}"),
            helper.make_node(
                "MatMul",
                [f"g{block}", "w_out"],
                [f"o{block}"],
                name=f"{prefix}/output/dense/MatMul",
            ),
        ]
        previous = f"o{block}"
    return helper.make_graph(nodes, "encoder", [], [])


def test_the_feed_forward_outputs_are_found_by_their_gelu_input() -> None:
    graph = _encoder_graph(6)
    assert ffn_output_matmuls(graph, [4, 0, 4]) == [
        "/inner/encoder/layer.0/output/dense/MatMul",
        "/inner/encoder/layer.4/output/dense/MatMul",
    ]
    assert ffn_output_matmuls(graph, []) == []
    assert len(ffn_output_matmuls(graph, range(6))) == 6
