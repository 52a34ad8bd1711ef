"""Fit the sentence picker's weights on question sets, and say how well the fit carries over.

    python bench/tune_picker.py --model multilingual-e5-small --questions SET [SET ...]

Answers every in-scope question once through the bot's own Answerer, recording each sentence the
picker was offered (its clues and its similarity to the question). Re-picking from those records
with other `PickerWeights` is then exact and fast, so weights can be searched one at a time over a
grid (coordinate ascent on the number of answers that hold the expected fact). Reported: the
current weights' count, a leave-one-set-out estimate (fit on all sets but one, count on that one),
and the weights fitted on every set. Retrieval is not affected by these weights.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from answer_library import open_library  # noqa: E402
from answer_scoring import has_fact  # noqa: E402
from question_sets import resolve  # noqa: E402

from bot import i18n  # noqa: E402
from bot.answers.answerer import Answerer  # noqa: E402
from bot.answers.sentences import (  # noqa: E402
    Candidate,
    Clues,
    SentencePicker,
    pick,
    shortlist,
)
from bot.answers.tuning import PickerWeights  # noqa: E402
from index.embedders.base import Embedder, set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402

GRID: dict[str, Sequence[float]] = {
    "rank_prior": (0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9),
    "answer_type": (0, 0.1, 0.15, 0.25, 0.35, 0.5, 0.6, 0.7, 0.9),
    "ordinal": (0, 0.1, 0.15, 0.25, 0.35),
    "lead_penalty": (-0.1, 0, 0.1, 0.2, 0.3),
    "freshness": (0, 0.15, 0.3, 0.5, 0.8),
    "coherence": (0, 0.15, 0.25, 0.35, 0.45, 0.6),
    "scored": (8, 10, 14, 20, 30, 45, 60, 100),
}


@dataclass
class Offer:
    """One question's answer as given, and every sentence the picker was offered for it."""

    item: dict
    question_set: str
    answer_text: str
    pool: list[Clues]
    similarity: np.ndarray
    language: str
    status: bool


class RecordingPicker(SentencePicker):
    """A picker that keeps the whole pool it was offered, before any is dropped."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(embedder)
        self.last: tuple[list[Clues], np.ndarray, str] | None = None

    def _choose_among(
        self,
        pool: list[Clues],
        query_vector: np.ndarray,
        stored: dict[str, np.ndarray],
        count: int,
        language: str,
    ) -> list[Candidate]:
        vectors = self._vectors([clues.embedded for clues in pool], stored)
        self.last = (pool, vectors @ query_vector, language)
        return super()._choose_among(pool, query_vector, stored, count, language)


def answer_text(offer: Offer, weights: PickerWeights, count: int) -> str:
    """Re-pick the offer's sentences with other weights; return what the answer would say."""
    kept = shortlist(offer.pool, weights)
    chosen = pick(
        [offer.pool[i] for i in kept], offer.similarity[kept], weights, count, offer.language
    )
    lines = [chosen_line.text for chosen_line in chosen]
    notes = [chosen_line.note for chosen_line in chosen if chosen_line.note]
    if offer.status and chosen:
        newest = max(c.chunk.published for c in chosen)
        # The answerer dates older reports' sentences and heads the answer "as of" the newest.
        notes += [
            i18n.text(offer.language, "reported_on", date=i18n.format_date(day, offer.language))
            for day in {c.chunk.published for c in chosen if c.chunk.published < newest}
        ]
        notes.append(
            i18n.text(offer.language, "as_of", date=i18n.format_date(newest, offer.language))
        )
    return " ".join(lines + notes)


def held(offers: list[Offer], weights: PickerWeights, count: int) -> int:
    """Count the offers whose re-picked answer holds the expected fact."""
    return sum(has_fact(o.item, answer_text(o, weights, count)) for o in offers)


def fit(offers: list[Offer], start: PickerWeights, count: int, passes: int = 4) -> PickerWeights:
    """Coordinate ascent over GRID; a move must gain at least one answer to be taken."""
    weights, best = start, held(offers, start, count)
    for _ in range(passes):
        moved = False
        for name, values in GRID.items():
            for value in values:
                if value == getattr(weights, name):
                    continue
                trial = dataclasses.replace(weights, **{name: type(getattr(weights, name))(value)})
                score = held(offers, trial, count)
                if score > best:
                    weights, best, moved = trial, score, True
        if not moved:
            break
    return weights


def changed(weights: PickerWeights, base: PickerWeights) -> dict[str, float]:
    return {
        field.name: getattr(weights, field.name)
        for field in dataclasses.fields(weights)
        if getattr(weights, field.name) != getattr(base, field.name)
    }


def record(args: argparse.Namespace) -> list[Offer]:
    """Answer every in-scope question with an expected fact; keep what the picker was offered."""
    set_threads(1)
    embedder = load_embedder(args.model)
    offers: list[Offer] = []
    with tempfile.TemporaryDirectory() as folder:
        searcher = open_library(embedder, args.articles, args.index_dir or Path(folder) / "index")
        picker = RecordingPicker(embedder)
        answerer = Answerer(lambda: searcher, embedder, sentences=args.sentences, picker=picker)
        for path in resolve(args.questions):
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line) if line.strip() else None
                if not item or not item["in_scope"] or not item.get("expected_fact"):
                    continue
                picker.last = None
                answer = answerer.answer(item["question"])
                if answer.abstained or picker.last is None:
                    continue
                pool, similarity, language = picker.last
                # Only a status question's clues carry freshness (1.0 for its newest report).
                status = any(clues.freshness > 0 for clues in pool)
                offers.append(
                    Offer(item, path.stem, answer.text, pool, similarity, language, status)
                )
    return offers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="multilingual-e5-small")
    parser.add_argument("--questions", nargs="+", required=True, help="Sets, groups or files.")
    parser.add_argument("--articles", type=Path, default=ROOT / "data/articles")
    parser.add_argument("--sentences", type=int, default=6, help="Sentences per answer.")
    parser.add_argument("--index-dir", type=Path, help="Keep the index here and reuse it.")
    parser.add_argument(
        "--start",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="Start the search from other weights than the shipped ones, e.g. rank_prior=0.3.",
    )
    args = parser.parse_args()

    current = PickerWeights()
    for setting in args.start:
        name, _, value = setting.partition("=")
        if name not in GRID:
            parser.error(f"--start {setting}: no weight called {name!r} (one of {', '.join(GRID)})")
        current = dataclasses.replace(current, **{name: type(getattr(current, name))(float(value))})
    offers = record(args)
    given = sum(has_fact(o.item, o.answer_text) for o in offers)
    replayed = held(offers, PickerWeights(), args.sentences)
    print(f"{len(offers)} answered questions with an expected fact")
    print(f"shipped weights: {replayed} hold the fact when re-picked ({given} as answered)")
    if current != PickerWeights():
        print(f"start weights {changed(current, PickerWeights())}: {held(offers, current, 6)}")
    sets = sorted({o.question_set for o in offers})
    total_current = total_fitted = 0
    print("\n| held-out set | questions | current | fitted on the others | weights moved |")
    print("|---|---|---|---|---|")
    for name in sets:
        train = [o for o in offers if o.question_set != name]
        test = [o for o in offers if o.question_set == name]
        weights = fit(train, current, args.sentences)
        now, then = held(test, current, args.sentences), held(test, weights, args.sentences)
        total_current, total_fitted = total_current + now, total_fitted + then
        print(f"| {name} | {len(test)} | {now} | {then} | {changed(weights, current)} |")
    print(f"| all, each held out once | {len(offers)} | {total_current} | {total_fitted} | |")
    weights = fit(offers, current, args.sentences)
    print(
        f"\nfitted on every set: {held(offers, weights, args.sentences)} of {len(offers)}; "
        f"moved {changed(weights, current)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
