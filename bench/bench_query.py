"""Query latency of `Searcher.search` at 10k, 100k and 1M chunks, against its bare parts.

Usage (from the repository root):
    .venv/bin/python bench/bench_query.py build 10000 100000   # write the synthetic indexes
    .venv/bin/python bench/bench_query.py query 10000 100000   # measure them, one process per size
    # the same with 4 random sentence vectors per chunk (as the default index stores)
    .venv/bin/python bench/bench_query.py build 10000 100000 --sentences-per-chunk 4

The indexes hold synthetic chunks: random unit vectors (the dense side cannot tell) and short
texts whose words follow a Zipf law over the sample articles' vocabulary plus made-up words, so
real questions hit BM25 posting lists of a realistic shape. Queries are the real evaluation
questions, encoded by the real model (all-MiniLM-L6-v2) on one thread, as the bot does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from index.concepts import ConceptIndex  # noqa: E402
from index.documents import Chunk  # noqa: E402
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.keyword import KeywordIndex  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.sentence_vectors import SentenceVectors  # noqa: E402
from index.store import ArticleEntry, load_snapshot, write_generation  # noqa: E402
from index.tuning import SEARCH_TUNING  # noqa: E402
from index.vectors import build_vector_index  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
DIMENSION = 384
DEFAULT_WORKDIR = Path("/tmp/negobot-bench-query")
QUESTIONS = REPO_ROOT / "bench" / "questions" / "ordinary-01.jsonl"
SOURCES = ("Reuters", "AP", "BBC", "Kyiv Independent", "Meduza", "Ukrainska Pravda")


def _vocabulary() -> list[str]:
    """Return the sample articles' words first (the frequent end of the Zipf law), then fillers."""
    words: dict[str, None] = {}
    for path in sorted((REPO_ROOT / "data" / "articles").glob("*.md")):
        for word in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8").lower()):
            words.setdefault(word, None)
    real = list(words)
    return real + [f"w{number}" for number in range(30_000 - len(real))]


def synthetic_texts(count: int, words_per_text: int, seed: int) -> list[str]:
    """Return `count` texts of Zipf-distributed words."""
    vocabulary = np.array(_vocabulary())
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    step = 50_000
    for start in range(0, count, step):
        rows = min(step, count - start)
        ranks = rng.zipf(1.2, size=(rows, words_per_text)) - 1
        ranks %= len(vocabulary)
        texts.extend(" ".join(row) for row in vocabulary[ranks])
    return texts


def folder_name(size: int, sentences_per_chunk: int) -> str:
    return str(size) if not sentences_per_chunk else f"{size}-s{sentences_per_chunk}"


def build(size: int, workdir: Path, words_per_text: int, sentences_per_chunk: int = 0) -> None:
    """Write one synthetic index generation of `size` chunks (with sentence vectors if asked)."""
    target = workdir / folder_name(size, sentences_per_chunk)
    started = time.perf_counter()
    texts = synthetic_texts(size, words_per_text, seed=size)
    rng = np.random.default_rng(size)
    vectors = rng.standard_normal((size, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    first_day = date(2025, 1, 1)
    chunks = [
        Chunk(
            article_id=f"a{row // 8}",
            position=row % 8,
            text=text,
            title=f"Synthetic article {row // 8}",
            published=first_day + timedelta(days=(row // 8) % 365),
            source=SOURCES[(row // 8) % len(SOURCES)],
            url=f"https://example.org/a{row // 8}",
            language="en",
        )
        for row, text in enumerate(texts)
    ]
    articles: dict[str, ArticleEntry] = {}
    for row, chunk in enumerate(chunks):
        entry = articles.get(chunk.article_id)
        if entry is None:
            entry = articles[chunk.article_id] = ArticleEntry(
                key=chunk.article_id,
                content_hash=chunk.article_id,
                text_hash=chunk.article_id,
                url=chunk.url,
                title=chunk.title,
                published=chunk.published.isoformat(),
                source=chunk.source,
                language="en",
            )
        entry.rows.append(row)
    prepared = time.perf_counter()
    keyword_index = KeywordIndex.build([f"{chunk.title} {chunk.text}" for chunk in chunks])
    concept_index = ConceptIndex.build(f"{chunk.title} {chunk.text}" for chunk in chunks)
    bm25_done = time.perf_counter()
    vector_index = build_vector_index(vectors)
    sentence_vectors = None
    if sentences_per_chunk:
        sentences = rng.standard_normal((size * sentences_per_chunk, DIMENSION), dtype=np.float32)
        sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
        indptr = np.arange(size + 1, dtype=np.int64) * sentences_per_chunk
        sentence_vectors = SentenceVectors.build(sentences, indptr)
    faiss_done = time.perf_counter()
    write_generation(
        target,
        manifest={
            "model": MODEL,
            "dimension": DIMENSION,
            "chunking": {"max_tokens": 200, "overlap_sentences": 1},
            "embedding_window": 256,
            "synthetic": True,
        },
        chunks=chunks,
        articles=articles,
        vectors=vectors,
        vector_index=vector_index,
        keyword_index=keyword_index,
        concept_index=concept_index,
        sentence_vectors=sentence_vectors,
    )
    written = time.perf_counter()
    print(
        json.dumps(
            {
                "size": size,
                "index": vector_index.describe(),
                "sentences": sentence_vectors.describe() if sentence_vectors else None,
                "seconds": {
                    "prepare": round(prepared - started, 1),
                    "bm25 and concepts": round(bm25_done - prepared, 1),
                    "faiss": round(faiss_done - bm25_done, 1),
                    "write": round(written - faiss_done, 1),
                },
            }
        ),
        flush=True,
    )


def _rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p99_ms": round(p99 * 1000, 2)}


def measure(
    size: int, workdir: Path, rounds: int, sentences_per_chunk: int = 0
) -> dict[str, object]:
    """Time hybrid and dense searches and their bare parts, interleaved, on one warm process."""
    set_threads(1)
    embedder = load_embedder(MODEL)
    model = embedder.model  # type: ignore[attr-defined]
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    before = _rss_bytes()
    loaded_at = time.perf_counter()
    folder = workdir / folder_name(size, sentences_per_chunk)
    snapshot = load_snapshot(folder)
    assert snapshot is not None, f"no index at {folder}: run the build step first"
    searcher = Searcher(snapshot, embedder)
    load_seconds = time.perf_counter() - loaded_at
    # The vectors file is memory-mapped; dense search alone never touches it, so count it apart.
    after = _rss_bytes()
    folder = snapshot.directory
    sizes = {
        "vectors.npy": (folder / "vectors.npy").stat().st_size,
        "vectors.faiss": (folder / "vectors.faiss").stat().st_size,
        "bm25": _folder_bytes(folder / "bm25"),
        "chunks.jsonl": (folder / "chunks.jsonl").stat().st_size,
    }
    for name in ("sentences.npy", "sentences.faiss"):
        if (folder / name).exists():
            sizes[name] = (folder / name).stat().st_size
    index = snapshot.vector_index.index
    names = ("hybrid", "dense", "hybrid_given_vector", "dense_given_vector")
    timings: dict[str, list[float]] = {
        name: [] for name in (*names, "bare_encode", "bare_faiss", "bm25")
    }
    # Our part alone, without the model: the same searches with the query already encoded.
    vectors = embedder.encode(questions, kind="query")
    for question in questions[:5]:  # warm-up: caches, lazy allocations, torch's first calls
        searcher.search(question, 5)
    clock = time.perf_counter
    for round_number in range(rounds):
        for offset, question in enumerate(questions):
            order = [*names, "bare"]
            turn = (round_number + offset) % len(order)
            for step in order[turn:] + order[:turn]:
                if step != "bare":
                    given = vectors[offset] if step.endswith("given_vector") else None
                    start = clock()
                    searcher.search(question, 5, mode=step.split("_")[0], query_vector=given)
                    timings[step].append(clock() - start)
                else:
                    start = clock()
                    vector = model.encode(
                        [question], normalize_embeddings=True, convert_to_numpy=True
                    )
                    middle = clock()
                    index.search(
                        np.ascontiguousarray(vector, dtype=np.float32), SEARCH_TUNING.candidates
                    )
                    end = clock()
                    searcher.keyword_index.top(question, SEARCH_TUNING.candidates)
                    timings["bare_encode"].append(middle - start)
                    timings["bare_faiss"].append(end - middle)
                    timings["bm25"].append(clock() - end)
    result = {name: _percentiles(samples) for name, samples in timings.items()}
    bare = result["bare_encode"]["p50_ms"] + result["bare_faiss"]["p50_ms"]
    # Time spent in our code per query: the search given a vector, less the bare FAISS call.
    ours_dense = result["dense_given_vector"]["p50_ms"] - result["bare_faiss"]["p50_ms"]
    ours_hybrid = result["hybrid_given_vector"]["p50_ms"] - result["bare_faiss"]["p50_ms"]
    return {
        "size": size,
        "sentences": snapshot.manifest.get("sentences"),
        "index": snapshot.manifest["vector_index"],
        "queries": len(timings["dense"]),
        "latency": result,
        "bare_p50_ms": round(bare, 2),
        "overhead_dense": round(result["dense"]["p50_ms"] / bare - 1, 3),
        "overhead_hybrid": round(result["hybrid"]["p50_ms"] / bare - 1, 3),
        "ours_dense_ms": round(ours_dense, 2),
        "ours_hybrid_ms": round(ours_hybrid, 2),
        "ours_dense_share": round(ours_dense / bare, 3),
        "ours_hybrid_share": round(ours_hybrid / bare, 3),
        "load_seconds": round(load_seconds, 1),
        "rss_delta_mib": round((after - before) / 2**20, 1),
        "rss_after_queries_mib": round(_rss_bytes() / 2**20, 1),
        "file_mib": {name: round(value / 2**20, 1) for name, value in sizes.items()},
        "loadavg": os.getloadavg(),
    }


def measure_keyword(size: int, words_per_text: int, rounds: int) -> dict[str, object]:
    """Time BM25 alone at `size` chunks, built in memory: the part of hybrid search that is O(N)."""
    texts = synthetic_texts(size, words_per_text, seed=size)
    started = time.perf_counter()
    keyword_index = KeywordIndex.build(texts)
    built = time.perf_counter() - started
    del texts
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    samples = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            keyword_index.top(question, SEARCH_TUNING.candidates)
            samples.append(time.perf_counter() - start)
    return {
        "size": size,
        "bm25_build_s": round(built, 1),
        "bm25_top50": _percentiles(samples),
        "queries": len(samples),
        "loadavg": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["build", "query", "query-one", "keyword"])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--words", type=int, default=40, help="words per synthetic chunk")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the 77 questions")
    parser.add_argument(
        "--sentences-per-chunk", type=int, default=0, help="random sentence vectors per chunk"
    )
    args = parser.parse_args()
    if args.step == "build":
        set_threads(2)
        for size in args.sizes:
            build(size, args.workdir, args.words, args.sentences_per_chunk)
    elif args.step == "keyword":
        for size in args.sizes:
            print(json.dumps(measure_keyword(size, args.words, args.rounds)), flush=True)
    elif args.step == "query-one":
        result = measure(args.sizes[0], args.workdir, args.rounds, args.sentences_per_chunk)
        print(json.dumps(result), flush=True)
    else:
        # A fresh process per size, so RSS deltas and caches do not leak between sizes.
        for size in args.sizes:
            command = [sys.executable, __file__, "query-one", str(size)]
            command += ["--workdir", str(args.workdir), "--rounds", str(args.rounds)]
            command += ["--sentences-per-chunk", str(args.sentences_per_chunk)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
