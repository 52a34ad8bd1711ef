"""Compare embedding models on the sample library: recall per language, abstention cosines, speed.

Run from the repository root:
    .venv/bin/python bench/bench_models.py [--models all-MiniLM-L6-v2 multilingual-e5-small ...]

Each model gets its own index of data/articles built through the normal ingest code; every
question in bench/questions/ordinary-01.jsonl is searched dense-only and hybrid. Recall counts
articles: a question scores at k when its expected article owns one of the k best distinct articles.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from index.chunking import embedding_text  # noqa: E402
from index.embedders.base import Embedder, set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.ingest import ingest_articles  # noqa: E402
from index.loaders import load_articles  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.store import load_snapshot  # noqa: E402

DEFAULT_MODELS = ["all-MiniLM-L6-v2", "all-MiniLM-L6-v2-int8", "multilingual-e5-small"]
LANGUAGES = ("en", "uk", "ru")
MODES = ("dense", "hybrid")
# Chunks fetched per query; enough to fill the top 5 distinct articles on this corpus.
CHUNK_POOL = 30


@dataclass
class Question:
    """One evaluation question from bench/questions/ordinary-01.jsonl."""

    text: str
    language: str
    expected_article: str | None
    in_scope: bool


@dataclass
class ModelResult:
    """What one model scored; recall maps (mode, language) to per-question ranks (None: missed)."""

    name: str
    load_seconds: float
    chunks: int
    passages_per_second: float
    query_ms: float
    ranks: dict[tuple[str, str], list[int | None]] = field(default_factory=dict)
    in_scope_best: list[float] = field(default_factory=list)
    out_of_scope_best: list[float] = field(default_factory=list)

    def recall(self, mode: str, language: str, k: int) -> float:
        ranks = self.ranks.get((mode, language), [])
        if not ranks:
            return float("nan")
        return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def load_questions(path: Path) -> list[Question]:
    """Read the evaluation questions."""
    questions = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                questions.append(
                    Question(
                        text=row["question"],
                        language=row["language"],
                        expected_article=row.get("expected_article"),
                        in_scope=bool(row["in_scope"]),
                    )
                )
    return questions


def article_rank(searcher: Searcher, question: Question, mode: str, k: int = 5) -> int | None:
    """Return the 1-based rank of the expected article among distinct articles, if in the top k."""
    seen: list[str] = []
    for hit in searcher.search(question.text, k=CHUNK_POOL, mode=mode):
        if hit.chunk.article_id not in seen:
            seen.append(hit.chunk.article_id)
    if question.expected_article in seen[:k]:
        return seen.index(question.expected_article) + 1
    return None


def encode_speed(embedder: Embedder, texts: list[str], repeats: int) -> float:
    """Return the median passages per second over `repeats` encodes of the same texts."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.encode(texts, kind="passage")
        rates.append(len(texts) / (time.perf_counter() - started))
    return statistics.median(rates)


def query_latency_ms(embedder: Embedder, questions: list[Question]) -> float:
    """Return the median milliseconds to encode one question."""
    timings = []
    for question in questions:
        started = time.perf_counter()
        embedder.encode([question.text], kind="query")
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def evaluate(
    name: str,
    articles: Path,
    questions: list[Question],
    *,
    speed_chunks: int,
    repeats: int,
    work_dir: Path,
) -> ModelResult:
    """Build an index with model `name` and score every question against it.

    `NAME:raw` loads a multilingual model without removing its language directions.
    """
    started = time.perf_counter()
    model, _, variant = name.partition(":")
    embedder = load_embedder(model, language_neutral=variant != "raw")
    load_seconds = time.perf_counter() - started
    index_dir = work_dir / name.replace(":", "-")
    ingest_articles(load_articles([articles]), index_dir=index_dir, embedder=embedder)
    snapshot = load_snapshot(index_dir)
    assert snapshot is not None, f"ingest wrote no index for {name}"
    chunk_texts = [embedding_text(chunk) for chunk in snapshot.chunks][:speed_chunks]
    result = ModelResult(
        name=name,
        load_seconds=load_seconds,
        chunks=len(snapshot.chunks),
        passages_per_second=encode_speed(embedder, chunk_texts, repeats),
        query_ms=query_latency_ms(embedder, questions),
    )
    searcher = Searcher(snapshot, embedder)
    for question in questions:
        best = searcher.search(question.text, k=1, mode="dense")
        best_cosine = best[0].dense_score if best and best[0].dense_score is not None else 0.0
        if question.in_scope:
            result.in_scope_best.append(best_cosine)
        else:
            result.out_of_scope_best.append(best_cosine)
        if not question.in_scope or not question.expected_article:
            continue
        for mode in MODES:
            rank = article_rank(searcher, question, mode)
            result.ranks.setdefault((mode, question.language), []).append(rank)
    return result


def separation_auc(positives: list[float], negatives: list[float]) -> float:
    """Return P(in-scope best cosine > out-of-scope best cosine), ties counting half."""
    if not positives or not negatives:
        return float("nan")
    wins = sum(
        1.0 if pos > neg else 0.5 if pos == neg else 0.0 for pos in positives for neg in negatives
    )
    return wins / (len(positives) * len(negatives))


def _spread(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{ordered[0]:.2f} / {statistics.median(ordered):.2f} / {ordered[-1]:.2f}"


def markdown(results: list[ModelResult], questions: list[Question]) -> str:
    """Render the results as markdown tables."""
    counts = {
        language: sum(1 for q in questions if q.in_scope and q.language == language)
        for language in LANGUAGES
    }
    header = ["model"] + [
        f"{mode} R@1/R@3 {language} (n={counts[language]})"
        for mode in MODES
        for language in LANGUAGES
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        cells = [result.name]
        for mode in MODES:
            for language in LANGUAGES:
                at_1 = result.recall(mode, language, 1)
                at_3 = result.recall(mode, language, 3)
                cells.append(f"{at_1:.2f} / {at_3:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| model | best cosine in-scope min/med/max | out-of-scope min/med/max "
        "| separation AUC | passages/s | query ms (p50) | load s | chunks |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | {_spread(result.in_scope_best)} | "
            f"{_spread(result.out_of_scope_best)} | "
            f"{separation_auc(result.in_scope_best, result.out_of_scope_best):.2f} | "
            f"{result.passages_per_second:.1f} | {result.query_ms:.0f} | "
            f"{result.load_seconds:.1f} | {result.chunks} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print (or write) the markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    parser.add_argument("--articles", type=Path, default=REPO_ROOT / "data" / "articles")
    parser.add_argument(
        "--questions", type=Path, default=REPO_ROOT / "bench" / "questions" / "ordinary-01.jsonl"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--speed-chunks", type=int, default=48, help="chunks timed per encode")
    parser.add_argument("--repeats", type=int, default=3, help="encode timings per model")
    parser.add_argument("--output", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)

    set_threads(args.threads)
    questions = load_questions(args.questions)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-models-") as work:
        for name in args.models:
            print(f"evaluating {name} ...", file=sys.stderr, flush=True)
            results.append(
                evaluate(
                    name,
                    args.articles,
                    questions,
                    speed_chunks=args.speed_chunks,
                    repeats=args.repeats,
                    work_dir=Path(work),
                )
            )
    table = markdown(results, questions)
    print(table)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
