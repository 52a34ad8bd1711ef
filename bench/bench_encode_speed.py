"""Time passage encoding: torch vs ONNX fp32 vs ONNX int8, and check retrieval quality survives.

Run from the repository root:
    .venv/bin/python bench/bench_encode_speed.py [--texts 200] [--repeats 3] [--scifact-docs 1000]

All encoders run in one process, interleaved, on the same texts, so the ratios stay fair on a
busy machine. Quality: cosine agreement with the torch vectors, article recall@5 of the English
questions in bench/questions/ordinary-01.jsonl, and NDCG@10 on a SciFact subset (dense only).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_models import article_rank, load_questions  # noqa: E402

from bench._scifact import SCIFACT_DIR as SCIFACT  # noqa: E402
from index.embedders.base import Embedder, set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.ingest import ingest_articles  # noqa: E402
from index.loaders import load_articles  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.store import load_snapshot  # noqa: E402

BASELINE = "all-MiniLM-L6-v2"
DEFAULT_MODELS = [BASELINE, "all-MiniLM-L6-v2-onnx", "all-MiniLM-L6-v2-int8"]


def read_jsonl(path: Path) -> list[dict[str, str]]:
    """Read a JSON-lines file."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def pick_passages(
    corpus: list[dict[str, str]], embedder: Embedder, count: int, low: int, high: int
) -> list[str]:
    """Return `count` SciFact abstracts (title + text) whose token length lies in [low, high]."""
    chosen = []
    for doc in corpus:
        text = f"{doc['title']} {doc['text']}"
        if low <= embedder.count_tokens(text) <= high:
            chosen.append(text)
            if len(chosen) == count:
                break
    return chosen


def time_encoders(
    embedders: dict[str, Embedder], texts: list[str], repeats: int
) -> dict[str, list[float]]:
    """Return seconds per full encode of `texts` for each embedder, interleaved per repeat."""
    seconds: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(repeats):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            embedder.encode(texts, kind="passage")
            seconds[name].append(time.perf_counter() - started)
    return seconds


def english_recall_at_5(
    embedder: Embedder, articles: Path, questions_path: Path
) -> dict[str, float]:
    """Return article recall@5 of the in-scope English questions, dense and hybrid."""
    questions = [
        q
        for q in load_questions(questions_path)
        if q.in_scope and q.language == "en" and q.expected_article
    ]
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as work:
        index_dir = Path(work)
        ingest_articles(load_articles([articles]), index_dir=index_dir, embedder=embedder)
        snapshot = load_snapshot(index_dir)
        assert snapshot is not None
        searcher = Searcher(snapshot, embedder)
        return {
            mode: sum(article_rank(searcher, q, mode, k=5) is not None for q in questions)
            / len(questions)
            for mode in ("dense", "hybrid")
        }


def scifact_subset(size: int) -> tuple[list[dict[str, str]], dict[str, str], dict[str, set[str]]]:
    """Return (documents, queries, relevant ids): every judged test document plus fillers."""
    relevant: dict[str, set[str]] = {}
    with open(SCIFACT / "qrels" / "test.tsv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            query_id, doc_id, score = line.split("\t")
            if int(score) > 0:
                relevant.setdefault(query_id, set()).add(doc_id)
    judged = set().union(*relevant.values())
    corpus = read_jsonl(SCIFACT / "corpus.jsonl")
    documents = [doc for doc in corpus if doc["_id"] in judged]
    documents += [doc for doc in corpus if doc["_id"] not in judged][
        : max(0, size - len(documents))
    ]
    queries = {
        row["_id"]: row["text"]
        for row in read_jsonl(SCIFACT / "queries.jsonl")
        if row["_id"] in relevant
    }
    return documents, queries, relevant


def ndcg_at_10(
    embedder: Embedder,
    documents: list[dict[str, str]],
    queries: dict[str, str],
    relevant: dict[str, set[str]],
) -> float:
    """Return mean NDCG@10 (binary relevance) of dense retrieval over the subset."""
    doc_vectors = embedder.encode([f"{d['title']} {d['text']}" for d in documents], kind="passage")
    query_ids = list(queries)
    query_vectors = embedder.encode([queries[q] for q in query_ids], kind="query")
    top = np.argsort(-(query_vectors @ doc_vectors.T), axis=1)[:, :10]
    scores = []
    for row, query_id in enumerate(query_ids):
        wanted = relevant[query_id]
        gain = sum(
            1 / math.log2(rank + 2)
            for rank, doc in enumerate(top[row])
            if documents[doc]["_id"] in wanted
        )
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(wanted), 10)))
        scores.append(gain / ideal)
    return float(np.mean(scores))


def main(argv: list[str] | None = None) -> int:
    """Run the timing and quality comparison and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--min-tokens", type=int, default=200)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scifact-docs", type=int, default=1000, help="0 skips NDCG@10")
    parser.add_argument("--articles", type=Path, default=REPO_ROOT / "data" / "articles")
    parser.add_argument(
        "--questions", type=Path, default=REPO_ROOT / "bench" / "questions" / "ordinary-01.jsonl"
    )
    args = parser.parse_args(argv)

    set_threads(args.threads)
    embedders = {name: load_embedder(name) for name in args.models}
    baseline = embedders[args.models[0]]
    corpus = read_jsonl(SCIFACT / "corpus.jsonl")
    texts = pick_passages(corpus, baseline, args.texts, args.min_tokens, args.max_tokens)
    print(
        f"{len(texts)} SciFact passages of {args.min_tokens}-{args.max_tokens} tokens, "
        f"{args.repeats} interleaved repeats, {args.threads} threads",
        file=sys.stderr,
    )
    seconds = time_encoders(embedders, texts, args.repeats)
    reference = baseline.encode(texts[:50], kind="passage")
    subset = scifact_subset(args.scifact_docs) if args.scifact_docs else None

    base_median = statistics.median(seconds[args.models[0]])
    lines = [
        "| encoder | median s | passages/s | speed vs "
        f"{args.models[0]} | cosine vs it (min / mean) | en recall@5 dense / hybrid | "
        "SciFact NDCG@10 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, embedder in embedders.items():
        median = statistics.median(seconds[name])
        agreement = np.sum(embedder.encode(texts[:50], kind="passage") * reference, axis=1)
        recall = english_recall_at_5(embedder, args.articles, args.questions)
        ndcg = f"{ndcg_at_10(embedder, *subset):.3f}" if subset else "–"
        lines.append(
            f"| {name} | {median:.1f} | {len(texts) / median:.1f} | {base_median / median:.2f}× | "
            f"{agreement.min():.3f} / {agreement.mean():.3f} | "
            f"{recall['dense']:.2f} / {recall['hybrid']:.2f} | {ndcg} |"
        )
        print(f"done {name}", file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
