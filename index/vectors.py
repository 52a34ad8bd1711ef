"""The FAISS vector index: exact inner product while it is fast, HNSW beyond that."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.tuning import SEARCH_TUNING


@dataclass
class VectorIndex:
    """A FAISS index over unit vectors, with how it was built and its measured recall."""

    index: Any
    kind: str
    params: dict[str, Any]
    recall_at_10: float

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def describe(self) -> dict[str, Any]:
        return {"type": self.kind, "params": self.params, "recall_at_10": self.recall_at_10}

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (scores, rows) of the k nearest rows for each query; rows are -1 past the end."""
        k = min(k, self.size)
        if k == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, description: dict[str, Any]) -> VectorIndex:
        index = faiss.read_index(str(path))
        if description["type"] == "hnsw":
            ef_search = description["params"].get("ef_search", SEARCH_TUNING.hnsw_ef_search)
            faiss.ParameterSpace().set_index_parameter(index, "efSearch", ef_search)
        return cls(index, description["type"], description["params"], description["recall_at_10"])


def build_vector_index(
    vectors: np.ndarray, *, flat_limit: int = SEARCH_TUNING.flat_limit
) -> VectorIndex:
    """Build the index type that suits the vector count; HNSW recall is measured against exact."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    if count <= flat_limit:
        flat = faiss.IndexFlatIP(dimension)
        flat.add(vectors)
        return VectorIndex(flat, "flat", {}, 1.0)
    hnsw = faiss.IndexHNSWFlat(dimension, SEARCH_TUNING.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = SEARCH_TUNING.hnsw_ef_construction
    hnsw.add(vectors)
    hnsw.hnsw.efSearch = SEARCH_TUNING.hnsw_ef_search
    params = {
        "m": SEARCH_TUNING.hnsw_m,
        "ef_construction": SEARCH_TUNING.hnsw_ef_construction,
        "ef_search": SEARCH_TUNING.hnsw_ef_search,
    }
    return VectorIndex(hnsw, "hnsw", params, measure_recall(hnsw, vectors))


def measure_recall(
    index: Any,
    vectors: np.ndarray,
    k: int = 10,
    *,
    mix: int = SEARCH_TUNING.probe_mix,
    noise: float = SEARCH_TUNING.probe_noise,
) -> float:
    """Recall@k of `index` against exact search, for probe queries made from stored vectors.

    Each probe is the normalised mean of `mix` random stored vectors, moved by noise of total
    norm `noise`. With mix=1 the probes sit right next to a stored vector, which is easy; real
    questions sit between passages (their best cosine is ~0.7), which a mean of a few vectors
    imitates far better (bench/bench_hnsw_recall.py compares both with real questions).
    """
    rng = np.random.default_rng(0)
    size = min(SEARCH_TUNING.recall_sample, len(vectors))
    queries = np.zeros((size, vectors.shape[1]), dtype=np.float32)
    for _ in range(mix):
        queries += vectors[rng.choice(len(vectors), size=size, replace=False)]
    noise_scale = noise / np.sqrt(vectors.shape[1])
    queries += rng.normal(scale=noise_scale, size=queries.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    _, exact = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    _, approximate = index.search(queries, k)
    hits = sum(len(set(exact[i]) & set(approximate[i])) for i in range(len(queries)))
    return round(hits / (len(queries) * k), 4)
