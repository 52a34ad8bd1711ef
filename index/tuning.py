"""The numbers that tune searching the library, in one place, each with why it has its value.

Figures behind them are in docs/benchmarks.md with the commands that reproduce them. A change
here changes rankings: re-run the benchmarks named beside the number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchTuning:
    """How the library is searched: fusion, candidate pools, the vector index, the glossary."""

    # Reciprocal rank fusion adds 1 / (rrf_k + rank) per vote; 60 is the usual constant, and
    # keeps one ranking's first places from outweighing agreement between rankings.
    rrf_k: int = 60
    # Passages each vote (dense, keyword) ranks before fusion; the fused top k come from these.
    candidates: int = 50
    # Above this share of the index in a query's posting lists, BM25 scores every row at once
    # (faster than gathering the postings one by one).
    keyword_full_scan_share: float = 0.25
    # Glossary stems match words they begin; shorter stems would match unrelated words.
    glossary_min_stem: int = 4
    # Exact search costs ~11 ms per query at 100k chunks and ~95 ms at 1M on a quiet core
    # (docs/benchmarks.md); above this size HNSW keeps queries in single-digit milliseconds.
    flat_limit: int = 200_000
    # HNSW links per vector: 32 kept recall@10 at 0.96 at 1M vectors with the two values below.
    hnsw_m: int = 32
    # At 1M vectors shaped like real embeddings (bench/bench_hnsw_recall.py), real questions'
    # recall@10 was 0.71 with efConstruction 40 / efSearch 128 and 0.96 with 100 / 512, for
    # 0.9 ms per search and a build of ~4 minutes: small beside the ~20 ms query encoding.
    hnsw_ef_construction: int = 100
    # See hnsw_ef_construction.
    hnsw_ef_search: int = 512
    # Probe queries per build to measure the approximate index's recall for the manifest.
    recall_sample: int = 200
    # A probe query is the mean of this many random stored vectors ...
    probe_mix: int = 1
    # ... moved by noise of this total norm (see index/vectors.py, measure_recall).
    probe_noise: float = 0.05


SEARCH_TUNING = SearchTuning()
