"""Measure a reader on a SQuAD 2.0 file: `python -m bot.reader.evaluate FILE [--articles dev]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.reader.decode import best_per_item, trimmed
from bot.reader.features import Window, question_ids, windows
from bot.reader.model import MODEL_DIR, Reader, read_card
from bot.reader.squad import Example, Scores, read_examples, score

Progress = Callable[[int, int], None]


def margins(
    reader: Reader, examples: list[Example], progress: Progress | None = None
) -> dict[str, tuple[str, float]]:
    """Return each question's best span and its margin over "no answer"."""
    result: dict[str, tuple[str, float]] = {}
    step = 64
    for first in range(0, len(examples), step):
        chunk = examples[first : first + step]
        items: list[Window] = []
        for number, example in enumerate(chunk):
            items += windows(number, question_ids(example.question), example.context)
        best = best_per_item(reader.spans(items))
        for number, example in enumerate(chunk):
            span = best.get(number)
            if span is None:
                result[example.id] = ("", float("-inf"))
                continue
            start, end = trimmed(example.context, span.start, span.end)
            result[example.id] = (example.context[start:end], span.margin)
        if progress:
            progress(min(first + step, len(examples)), len(examples))
    return result


def predictions(found: dict[str, tuple[str, float]], threshold: float) -> dict[str, str]:
    """Return SQuAD predictions: the span where its margin beats the threshold, else ""."""
    return {key: text if margin > threshold else "" for key, (text, margin) in found.items()}


def calibrate(examples: list[Example], found: dict[str, tuple[str, float]]) -> float:
    """Return the threshold that maximises F1 on these examples (choose it on dev data only)."""
    candidates = sorted({margin for _, margin in found.values() if margin != float("-inf")})
    if not candidates:
        return 0.0
    best_threshold, best_f1 = candidates[0] - 1.0, -1.0
    for threshold in _thinned(candidates, 400):
        f1 = score(examples, predictions(found, threshold)).f1
        if f1 > best_f1:
            best_threshold, best_f1 = threshold, f1
    return best_threshold


def _thinned(values: list[float], most: int) -> Iterable[float]:
    step = max(1, len(values) // most)
    return values[::step]


def evaluate(reader: Reader, examples: list[Example], progress: Progress | None = None) -> Scores:
    """Score the reader at its own threshold."""
    return score(examples, predictions(margins(reader, examples, progress), reader.threshold))


def print_progress(done: int, total: int) -> None:
    print(f"\r{done}/{total} questions read", end="" if done < total else "\n", file=sys.stderr)


def main() -> None:
    """Parse arguments, read the file and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="reader folder")
    parser.add_argument("--articles", choices=("train", "dev", "test"), help="only this split")
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()
    reader = Reader.load(arguments.model, threads=arguments.threads)
    examples = read_examples(arguments.file)
    if arguments.articles:
        split = read_card(arguments.model)["split"]
        titles = set(split[arguments.articles])  # type: ignore[index]
        examples = [example for example in examples if example.article in titles]
    print(evaluate(reader, examples, print_progress).line())


if __name__ == "__main__":
    main()
