"""The FAISS vector index: exact inner product while it is fast, HNSW beyond that."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

# Exact search costs ~11 ms per query at 100k chunks and ~95 ms at 1M on one core (MEASURED.md);
# above this size HNSW keeps queries in single-digit milliseconds.
FLAT_LIMIT = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
RECALL_SAMPLE = 200
# Probe queries are stored vectors moved by noise of this total norm: near, but not on, them.
PROBE_NOISE = 0.05


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
            ef_search = description["params"].get("ef_search", HNSW_EF_SEARCH)
            faiss.ParameterSpace().set_index_parameter(index, "efSearch", ef_search)
        return cls(index, description["type"], description["params"], description["recall_at_10"])


def build_vector_index(vectors: np.ndarray, *, flat_limit: int = FLAT_LIMIT) -> VectorIndex:
    """Build the index type that suits the vector count; HNSW recall is measured against exact."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    if count <= flat_limit:
        flat = faiss.IndexFlatIP(dimension)
        flat.add(vectors)
        return VectorIndex(flat, "flat", {}, 1.0)
    hnsw = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    hnsw.add(vectors)
    hnsw.hnsw.efSearch = HNSW_EF_SEARCH
    params = {"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION, "ef_search": HNSW_EF_SEARCH}
    return VectorIndex(hnsw, "hnsw", params, measure_recall(hnsw, vectors))


def measure_recall(
    index: Any, vectors: np.ndarray, k: int = 10, *, noise: float = PROBE_NOISE
) -> float:
    """Recall@k of `index` against exact search, for perturbed copies of sampled stored vectors.

    `noise` is the perturbation's total norm (not per dimension).
    """
    rng = np.random.default_rng(0)
    sample = vectors[rng.choice(len(vectors), size=min(RECALL_SAMPLE, len(vectors)), replace=False)]
    noise_scale = noise / np.sqrt(vectors.shape[1])
    queries = sample + rng.normal(scale=noise_scale, size=sample.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    _, exact = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    _, approximate = index.search(queries, k)
    hits = sum(len(set(exact[i]) & set(approximate[i])) for i in range(len(queries)))
    return round(hits / (len(queries) * k), 4)
