"""HNSW recall@10 at large sizes, on vectors shaped like real embeddings, for real questions.

    python bench/bench_hnsw_recall.py [--sizes 250000,1000000] [--anchors 5183] [--queries 300]

Uniform random vectors have no neighbourhoods, so recall measured on them says nothing about a
real library. Here every stored vector is built from real all-MiniLM-L6-v2 embeddings: the SciFact
abstracts (title and first sentences) are embedded, and each synthetic chunk is a random blend of
two of them plus a small perturbation, re-normalised. That keeps the data on the real embeddings'
manifold, with the dense clusters and near-duplicates a news library has. The queries are the
real SciFact questions, embedded by the same model. The index is built by the shipped
`build_vector_index` (so the HNSW parameters are the ones a real ingest uses) and compared with
exact inner-product search over the same vectors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import index.vectors as vector_module  # noqa: E402
from bench._scifact import SCIFACT_DIR  # noqa: E402
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.tuning import SEARCH_TUNING  # noqa: E402
from index.vectors import build_vector_index, measure_recall  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
CACHE_DIR = Path("/tmp/negobot-hnsw")
# Blend weight of the second anchor and the size of the perturbation (total norm).
BLEND = (0.0, 0.5)
NOISE = 0.15


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def anchors_and_queries(data: Path, anchors: int, queries: int) -> tuple[np.ndarray, np.ndarray]:
    """Embed SciFact abstracts (title + opening) and test questions, or reuse the cached ones."""
    cache = CACHE_DIR / f"anchors-{anchors}-queries-{queries}.npz"
    if cache.is_file():
        with np.load(cache) as saved:
            return saved["anchors"], saved["queries"]
    if not (data / "corpus.jsonl").is_file():
        raise SystemExit(f"error: SciFact not found in {data} (expected corpus.jsonl)")
    embedder = load_embedder(MODEL)
    corpus = _read_jsonl(data / "corpus.jsonl")[:anchors]
    texts = [f"{doc.get('title', '')}. {' '.join(doc['text'].split()[:60])}" for doc in corpus]
    questions = [item["text"] for item in _read_jsonl(data / "queries.jsonl")][:queries]
    started = time.perf_counter()
    anchor_vectors = embedder.encode(texts, kind="passage", batch_size=64)
    query_vectors = embedder.encode(questions, kind="query")
    print(
        f"embedded {len(texts)} anchors and {len(questions)} questions "
        f"in {time.perf_counter() - started:.0f}s",
        file=sys.stderr,
    )
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(cache, anchors=anchor_vectors, queries=query_vectors)
    return anchor_vectors, query_vectors


def synthetic_library(anchors: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Return `size` unit vectors, each a perturbed blend of two real embeddings."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, anchors.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, size, step):
        count = min(step, size - start)
        first = anchors[rng.integers(len(anchors), size=count)]
        second = anchors[rng.integers(len(anchors), size=count)]
        weight = rng.uniform(*BLEND, size=(count, 1)).astype(np.float32)
        block = (1 - weight) * first + weight * second
        block += rng.normal(scale=NOISE / np.sqrt(anchors.shape[1]), size=block.shape).astype(
            np.float32
        )
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + count] = block
    return out


def recall_at(k: int, found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of the exact top-k that the approximate search also returned."""
    hits = [len(set(row[:k]) & set(truth[:k])) / k for row, truth in zip(found, exact, strict=True)]
    return float(np.mean(hits))


def measure(
    size: int,
    anchors: np.ndarray,
    queries: np.ndarray,
    ef_constructions: list[int],
    ef_searches: list[int],
    probe_noises: list[float],
    probe_mixes: list[int],
) -> list[dict[str, object]]:
    """Build one HNSW index per efConstruction over the same library and measure each."""
    library = synthetic_library(anchors, size, seed=size)
    exact_index = faiss.IndexFlatIP(library.shape[1])
    exact_index.add(library)
    exact_scores, exact = exact_index.search(queries, 10)
    del exact_index
    rows: list[dict[str, object]] = []
    for ef_construction in ef_constructions:
        vector_module.SEARCH_TUNING = replace(SEARCH_TUNING, hnsw_ef_construction=ef_construction)
        started = time.perf_counter()
        built = build_vector_index(library, flat_limit=0)
        row: dict[str, object] = {
            "size": size,
            "params": built.params,
            "build_s": round(time.perf_counter() - started),
            # How crowded the neighbourhoods are: the gap between a question's 1st and 10th match.
            "median_top1_cosine": round(float(np.median(exact_scores[:, 0])), 3),
            "median_top1_minus_top10": round(
                float(np.median(exact_scores[:, 0] - exact_scores[:, 9])), 3
            ),
        }
        for ef_search in ef_searches:
            faiss.ParameterSpace().set_index_parameter(built.index, "efSearch", ef_search)
            timings = []
            found_rows = []
            for query in queries:
                began = time.perf_counter()
                _, found = built.index.search(query[None, :], 10)
                timings.append((time.perf_counter() - began) * 1000)
                found_rows.append(found[0])
            row[f"ef{ef_search}_recall@10"] = round(recall_at(10, np.array(found_rows), exact), 4)
            row[f"ef{ef_search}_p50_ms"] = round(float(np.median(timings)), 2)
            for noise in probe_noises:
                probe = measure_recall(built.index, library, mix=1, noise=noise)
                row[f"ef{ef_search}_probe{noise}_recall@10"] = probe
            for mix in probe_mixes:
                probe = measure_recall(built.index, library, mix=mix, noise=0.0)
                row[f"ef{ef_search}_probe_mix{mix}_recall@10"] = probe
        rows.append(row)
        print(json.dumps(row), flush=True)
        del built
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SCIFACT_DIR)
    parser.add_argument("--sizes", default="250000,1000000")
    parser.add_argument("--anchors", type=int, default=5183)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--ef-construction", default="40")
    parser.add_argument("--ef-search", default="64,128,256")
    parser.add_argument("--probe-noise", default="0.05", help="probe noise norms to try (mix 1)")
    parser.add_argument("--probe-mix", default="2,4,8", help="probe mixes to try (no noise)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    set_threads(args.threads)
    anchors, queries = anchors_and_queries(args.data, args.anchors, args.queries)
    for size in (int(value) for value in args.sizes.split(",")):
        measure(
            size,
            anchors,
            queries,
            [int(value) for value in args.ef_construction.split(",")],
            [int(value) for value in args.ef_search.split(",")],
            [float(value) for value in args.probe_noise.split(",")],
            [int(value) for value in args.probe_mix.split(",")],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
