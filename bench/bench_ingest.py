"""Ingest throughput of the whole pipeline against the bare model's `encode` on the same chunks.

Usage (from the repository root):
    .venv/bin/python bench/bench_ingest.py --docs 500 --rounds 3

The corpus is the first N SciFact abstracts ($NEGOBOT_SCIFACT_DIR, see bench/_scifact.py),
written once to a temporary JSONL file so each pipeline run goes through the real loader,
chunker, embedder, BM25, FAISS and atomic write. Pipeline and bare runs alternate in one
process; medians reported.
The pipeline also embeds every sentence (the default index); `--no-sentence-vectors` times the
chunk vectors alone, which is the work the bare runs do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import index.ingest as ingest_module  # noqa: E402
from bench._scifact import SCIFACT_DIR  # noqa: E402
from index.chunking import ChunkingSettings, embedding_text  # noqa: E402
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.ingest import ingest_articles  # noqa: E402
from index.keyword import KeywordIndex  # noqa: E402
from index.loaders import load_articles  # noqa: E402
from index.store import load_snapshot  # noqa: E402


def write_corpus(source: Path, count: int, target: Path) -> None:
    """Convert the first `count` SciFact abstracts to negobot's JSONL article format."""
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(lines):
            if number == count:
                break
            record = json.loads(line)
            article = {
                "id": f"scifact-{record['_id']}",
                "title": record["title"],
                "text": record["text"],
                "published": (date(2025, 1, 1) + timedelta(days=number % 300)).isoformat(),
                "source": "SciFact",
                "language": "en",
            }
            out.write(json.dumps(article, ensure_ascii=False) + "\n")


class StageClock:
    """Wrap the functions ingest calls, by name in its module, to time each stage in place."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - start

        return timed

    def items(self, items: Iterable[Any]) -> Iterator[Any]:
        """Time the loader, which ingest consumes lazily."""
        iterator = iter(items)
        while True:
            start = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.seconds["load"] += time.perf_counter() - start
                return
            self.seconds["load"] += time.perf_counter() - start
            yield item


def install(clock: StageClock) -> None:
    ingest_module.chunk_article = clock.wrap("chunk", ingest_module.chunk_article)
    ingest_module._embed = clock.wrap("embed", ingest_module._embed)
    ingest_module.embed_sentences = clock.wrap("sentences", ingest_module.embed_sentences)
    ingest_module.build_vector_index = clock.wrap("faiss", ingest_module.build_vector_index)
    ingest_module.write_generation = clock.wrap("write", ingest_module.write_generation)
    build = KeywordIndex.build.__func__  # type: ignore[attr-defined]
    KeywordIndex.build = classmethod(clock.wrap("bm25", build))  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=SCIFACT_DIR / "corpus.jsonl")
    parser.add_argument(
        "--sentence-vectors",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Embed every sentence too, as the default index does (the bare runs never do).",
    )
    args = parser.parse_args()

    set_threads(args.threads)
    started = time.perf_counter()
    embedder = load_embedder("all-MiniLM-L6-v2")
    model_load = time.perf_counter() - started
    model = embedder.model  # type: ignore[attr-defined]
    workdir = Path(tempfile.mkdtemp(prefix="negobot-bench-ingest-"))
    corpus = workdir / "corpus.jsonl"
    write_corpus(args.corpus, args.docs, corpus)
    clock = StageClock()
    install(clock)

    texts: list[str] = []
    pipeline: list[float] = []
    bare: list[float] = []
    stages: list[dict[str, float]] = []
    chunk_count = 0

    def run_pipeline(round_number: int) -> None:
        nonlocal texts, chunk_count
        clock.seconds.clear()
        start = time.perf_counter()
        report = ingest_articles(
            clock.items(load_articles([corpus])),
            index_dir=workdir / f"index-{round_number}",
            embedder=embedder,
            chunking=ChunkingSettings(sentence_vectors=args.sentence_vectors),
            rebuild=True,
        )
        pipeline.append(time.perf_counter() - start)
        stages.append(dict(clock.seconds))
        chunk_count = report.chunks_embedded
        if not texts:
            snapshot = load_snapshot(workdir / f"index-{round_number}")
            assert snapshot is not None
            texts = [embedding_text(chunk) for chunk in snapshot.chunks]
        assert len(texts) == chunk_count

    def run_bare() -> None:
        start = time.perf_counter()
        model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        bare.append(time.perf_counter() - start)

    run_pipeline(-1)  # warm-up; also fixes the chunk texts the bare runs encode
    pipeline.clear()
    stages.clear()
    run_bare()
    bare.clear()
    for round_number in range(args.rounds):
        order = ["pipeline", "bare"] if round_number % 2 == 0 else ["bare", "pipeline"]
        for step in order:
            if step == "pipeline":
                run_pipeline(round_number)
            else:
                run_bare()

    pipeline_rate = chunk_count / statistics.median(pipeline)
    bare_rate = chunk_count / statistics.median(bare)
    median_stages = {
        stage: round(statistics.median(run.get(stage, 0.0) for run in stages), 3)
        for stage in ("load", "chunk", "embed", "sentences", "bm25", "faiss", "write")
    }
    print(
        json.dumps(
            {
                "docs": args.docs,
                "chunks": chunk_count,
                "sentence_vectors": args.sentence_vectors,
                "threads": args.threads,
                "model_load_s": round(model_load, 2),
                "pipeline_s": [round(value, 2) for value in pipeline],
                "bare_encode_s": [round(value, 2) for value in bare],
                "pipeline_chunks_per_s": round(pipeline_rate, 2),
                "bare_chunks_per_s": round(bare_rate, 2),
                "ratio_pipeline_over_bare": round(pipeline_rate / bare_rate, 3),
                # Pairs run back to back share the machine's load; their ratios vary less.
                "per_round_ratio": [round(b / p, 3) for p, b in zip(pipeline, bare, strict=True)],
                "embed_share_of_pipeline": round(
                    statistics.median(
                        run["embed"] / p for run, p in zip(stages, pipeline, strict=True)
                    ),
                    3,
                ),
                "median_stage_s": median_stages,
                "loadavg": os.getloadavg(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
