"""How well each similarity signal tells answerable questions from out-of-scope ones (ROC AUC).

    python bench/bench_answerability.py --questions near-miss-03 near-miss-04 \
        [--model multilingual-e5-small] [--index-dir DIR]

Answers every question with the bot's own Answerer (as bench_answers.py does) and scores, from
the passages it retrieved: the best passage cosine and the scope margin (what abstention uses
now), the best sentence of the passages the picker reads, that sentence's lead over the others,
and the share of the question's words (weighted by rarity in the library) found in the first
three passages. AUC is the chance that an in-scope question scores above an out-of-scope one
(ties count half): 0.5 is chance, 1.0 a perfect separation. Also counts the answered
out-of-scope questions whose first answer sentence carries the kind of fact asked for.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answer_library import open_library  # noqa: E402
from question_sets import read_questions  # noqa: E402

from bot.answers.answer_types import Answer  # noqa: E402
from bot.answers.answerer import Answerer  # noqa: E402
from bot.answers.fact_kinds import answer_type, carries_answer_type  # noqa: E402
from bot.answers.tuning import ANSWER_TUNING  # noqa: E402
from index.documents import SearchHit  # noqa: E402
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.keyword import tokenize  # noqa: E402
from index.search import Searcher  # noqa: E402

SIGNALS = ("best passage", "scope margin", "best sentence", "sentence lead", "words found")


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Return the chance that a positive scores above a negative, ties counting half."""
    values, labels = np.asarray(scores, dtype=float), np.asarray(positive, dtype=bool)
    above, below = values[labels], values[~labels]
    if not len(above) or not len(below):
        raise ValueError("roc_auc needs at least one positive and one negative")
    wins = (above[:, None] > below[None, :]).sum() + 0.5 * (above[:, None] == below[None, :]).sum()
    return float(wins / (len(above) * len(below)))


class Library:
    """What the signals need from the index: chunk rows by id, and word rarity."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        chunks = searcher.snapshot.chunks
        self.rows = {chunk.chunk_id: row for row, chunk in enumerate(chunks)}
        counts: Counter[str] = Counter()
        for chunk in chunks:
            counts.update(set(tokenize(chunk.text)))
        self._counts, self._size = counts, len(chunks)

    def rarity(self, token: str) -> float:
        return math.log((self._size + 1) / (self._counts[token] + 0.5))

    def hits(self, answer: Answer) -> list[SearchHit]:
        """Rebuild the answer's retrieved passages as hits of this searcher, in its order."""
        hits = []
        for passage in answer.retrieved:
            row = self.rows[str(passage["chunk_id"])]
            chunk = self.searcher.snapshot.chunks[row]
            hits.append(SearchHit(chunk=chunk, score=0.0, row=row))
        return hits


def signals(library: Library, answer: Answer, query_vector: np.ndarray) -> dict:
    """Return each signal's value for one answered (or declined) question."""
    hits = library.hits(answer)
    stored = library.searcher.stored_sentence_vectors(hits[: ANSWER_TUNING.sentence_chunks])
    sentences = np.sort([float(vector @ query_vector) for vector in stored.values()])[::-1]
    words = set(tokenize(answer.question))
    nearby = set(tokenize(" ".join(hit.chunk.text for hit in hits[:3])))
    weight = sum(library.rarity(word) for word in words)
    found = sum(library.rarity(word) for word in words & nearby)
    return {
        "best passage": max((float(p["cosine"]) for p in answer.retrieved), default=0.0),
        "scope margin": answer.scope_margin if answer.scope_margin is not None else 0.0,
        "best sentence": float(sentences[0]) if len(sentences) else 0.0,
        "sentence lead": float(sentences[0] - sentences[1:].mean()) if len(sentences) > 1 else 0.0,
        "words found": found / weight if weight else 0.0,
    }


def first_sentence(answer: Answer) -> str:
    """Return the answer's first quoted sentence (after an "as of" line), citation included."""
    body = answer.text.split("\n", 1)[1] if answer.as_of and "\n" in answer.text else answer.text
    end = body.find("]")
    return body[: end + 1] if end != -1 else body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="multilingual-e5-small")
    parser.add_argument("--questions", nargs="+", required=True, help="Sets, groups or files.")
    parser.add_argument("--articles", type=Path, default=ROOT / "data/articles")
    parser.add_argument("--index-dir", type=Path, help="Keep the index here and reuse it.")
    args = parser.parse_args()

    set_threads(1)
    embedder = load_embedder(args.model)
    items = read_questions(args.questions)
    rows = []
    typed = carried = 0
    with tempfile.TemporaryDirectory() as folder:
        searcher = open_library(embedder, args.articles, args.index_dir or Path(folder) / "index")
        library = Library(searcher)
        answerer = Answerer(lambda: searcher, embedder)
        for item in items:
            answer = answerer.answer(item["question"])
            query_vector = embedder.encode([answer.question], kind="query")[0]
            rows.append((item["in_scope"], signals(library, answer, query_vector)))
            wanted = answer_type(answer.question)
            if wanted and not answer.abstained and not item["in_scope"]:
                typed += 1
                carried += carries_answer_type(wanted, first_sentence(answer), answer.question)
    labels = [in_scope for in_scope, _ in rows]
    inside, outside = labels.count(True), labels.count(False)
    print(f"{len(rows)} questions ({inside} in scope, {outside} out of scope), {args.model}\n")
    print("| signal | AUC | median in scope | median out of scope |")
    print("|---|---|---|---|")
    for name in SIGNALS:
        values = [values[name] for _, values in rows]
        inner = statistics.median(v for v, label in zip(values, labels, strict=True) if label)
        outer = statistics.median(v for v, label in zip(values, labels, strict=True) if not label)
        print(f"| {name} | {roc_auc(values, labels):.2f} | {inner:.3f} | {outer:.3f} |")
    print(
        f"\nanswered out-of-scope questions asking for a kind of fact: {typed}; "
        f"their first answer sentence carries one: {carried}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
