"""Pieces of the SciFact benchmark: the BEIR layout, the configurations and their evaluation."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from index.chunking import ChunkingSettings, embedding_text
from index.documents import Article, SearchHit
from index.embedders.base import Embedder, TextKind, sentence_recipe, vector_space
from index.keyword import KeywordIndex
from index.search import Searcher

# BEIR SciFact (corpus.jsonl, queries.jsonl, qrels/test.tsv) does not ship with the repository:
# download it once and point NEGOBOT_SCIFACT_DIR at the folder (or pass --data).
SCIFACT_DIR = Path(
    os.environ.get("NEGOBOT_SCIFACT_DIR") or Path(__file__).resolve().parent.parent / "data/scifact"
)

# SciFact abstracts have no date or outlet; the index requires both, so every one gets these.
FIXED_PUBLISHED = date(2000, 1, 1)
SOURCE = "SciFact"
# A window no abstract reaches: chunk_article then keeps each abstract whole, and the model's
# own max_seq_length truncates it when it is embedded, as MTEB does.
WHOLE_ARTICLE_TOKENS = 1_000_000
METRICS = ("ndcg@10", "recall@10", "recall@100")


class BenchDataError(Exception):
    """The benchmark folder is missing or not in the BEIR layout."""


@dataclass(frozen=True)
class BeirSet:
    """A BEIR-layout test set: the corpus, the judged queries and their relevance judgements."""

    corpus: list[dict[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(folder: Path, split: str = "test") -> BeirSet:
    """Read corpus.jsonl, queries.jsonl and qrels/<split>.tsv; keep only the judged queries."""
    paths = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"]
    if not folder.is_dir():
        raise BenchDataError(f"benchmark data folder {folder} is absent")
    for path in paths:
        if not path.is_file():
            raise BenchDataError(f"benchmark data folder {folder} lacks {path.relative_to(folder)}")
    corpus_path, queries_path, qrels_path = paths
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            score = int(row["score"])
            if score > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = score
    queries = {
        record["_id"]: record["text"]
        for record in _read_jsonl(queries_path)
        if record["_id"] in qrels
    }
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise BenchDataError(
            f"{queries_path} lacks {len(missing)} judged queries, e.g. {missing[0]}"
        )
    return BeirSet(list(_read_jsonl(corpus_path)), queries, qrels)


def _read_jsonl(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise BenchDataError(f"{path}:{number}: not JSON ({error.msg})") from error


def articles_from_corpus(corpus: list[dict[str, str]]) -> Iterator[Article]:
    """Turn each abstract into an Article whose id is the BEIR doc id."""
    for record in corpus:
        yield Article(
            title=record.get("title", "").strip(),
            text=record["text"],
            published=FIXED_PUBLISHED,
            source=SOURCE,
            language="en",
            id=record["_id"],
        )


class WholeArticleEmbedder:
    """An embedder that claims an unbounded window, so ingest keeps each article as one chunk."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        # Same name: the index stays usable with the plain embedder for searching.
        self.name = inner.name
        self.vector_space = vector_space(inner)
        self.dimension = inner.dimension
        self.max_tokens = WHOLE_ARTICLE_TOKENS

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        return self.inner.encode(texts, kind=kind, batch_size=batch_size)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


class CachingEmbedder:
    """Remembers passage vectors on disk by text, so an interrupted or repeated ingest resumes.

    The vectors are the wrapped model's own; only identical texts are ever reused.
    """

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.vector_space = vector_space(inner)
        self.sentence_recipe = sentence_recipe(inner)
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.folder = folder
        self.vectors: dict[str, np.ndarray] = {}
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("*.npz")):
            with np.load(path) as saved:
                self.vectors.update(zip(saved["keys"].tolist(), saved["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def encode_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """The inner engine's chunk pass, not cached (only engines that pool sentences call it)."""
        return self.inner.encode_with_spans(texts, spans)  # type: ignore[attr-defined]

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        if kind != "passage":
            return self.inner.encode(texts, kind=kind, batch_size=batch_size)
        keys = [self.key(text) for text in texts]
        todo = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}.items()
        )
        if todo:
            fresh = self.inner.encode([text for _, text in todo], kind=kind, batch_size=batch_size)
            new_keys = [k for k, _ in todo]
            self.vectors.update(zip(new_keys, fresh, strict=True))
            name = self.key("".join(new_keys))[:16]
            np.savez(self.folder / f"{name}.npz", keys=np.array(new_keys), vectors=fresh)
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self.vectors[k] for k in keys]).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def safe_name(name: str) -> str:
    """Return a model name usable as a folder name."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


@dataclass(frozen=True)
class Config:
    """One row of the table: how the index is cut and how it is searched."""

    name: str
    description: str
    whole_article: bool = False
    chunk_tokens: int = 200
    overlap_sentences: int = 1
    mode: str = "hybrid"
    candidates: int = 1000
    # True: BM25 without stemming, as the index tokenised before TOKENIZER_VERSION 2.
    unstemmed: bool = False
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    rrf_k: int = 60
    # Chunks ranked by the better of their own and their best sentence's cosine (the default);
    # False is one vector per chunk, the search before sentence vectors.
    sentence_vectors: bool = True

    def chunking(self) -> ChunkingSettings:
        if self.whole_article:
            return ChunkingSettings(
                max_tokens=WHOLE_ARTICLE_TOKENS, overlap_sentences=0, sentence_vectors=False
            )
        return ChunkingSettings(self.chunk_tokens, self.overlap_sentences, self.sentence_vectors)

    def index_name(self, model: str) -> str:
        safe_model = safe_name(model)
        if self.whole_article:
            return f"{safe_model}-whole"
        sentences = "s" if self.sentence_vectors else ""
        return f"{safe_model}-c{self.chunk_tokens}o{self.overlap_sentences}{sentences}"

    @property
    def default_fusion(self) -> bool:
        return (self.dense_weight, self.keyword_weight, self.rrf_k) == (1.0, 1.0, 60)


CONFIGS: dict[str, Config] = {
    config.name: config
    for config in [
        # One vector per abstract, truncated by the model: the setup of the published MTEB figure.
        Config("dense-whole", "dense, one vector per abstract, truncated (MTEB setup)",
               whole_article=True, mode="dense"),
        Config("keyword-whole", "BM25 (shipped, stemmed), one entry per abstract",
               whole_article=True, mode="keyword"),
        Config("keyword-whole-nostem", "BM25 without stemming, one entry per abstract",
               whole_article=True, mode="keyword", unstemmed=True),
        Config("hybrid-whole", "hybrid RRF (shipped BM25, stemmed), one vector per abstract",
               whole_article=True),
        Config("hybrid-whole-nostem", "hybrid RRF, one vector per abstract, BM25 without stemming",
               whole_article=True, unstemmed=True),
        Config("hybrid-whole-pool50",
               "hybrid RRF (shipped), one vector per abstract, 50 candidates per side",
               whole_article=True, candidates=50),
        # The index as the bot builds it: 200-token chunks with one sentence of overlap.
        Config("dense", "dense, our chunking (200 tokens, 1-sentence overlap)", mode="dense"),
        Config("keyword", "BM25 (shipped, stemmed) over our chunks", mode="keyword"),
        Config("keyword-nostem", "BM25 without stemming over our chunks", mode="keyword",
               unstemmed=True),
        Config("hybrid", "hybrid RRF, our chunking: the shipped default search"),
        Config("hybrid-nostem", "hybrid RRF, our chunking, BM25 without stemming",
               unstemmed=True),
        Config("hybrid-pool50", "hybrid RRF as the bot calls it (50 candidates per side)",
               candidates=50),
        # The search before sentence vectors: one vector per chunk.
        Config("dense-chunkvec", "dense, our chunking, chunk vectors only",
               mode="dense", sentence_vectors=False),
        Config("hybrid-chunkvec", "hybrid RRF, our chunking, chunk vectors only",
               sentence_vectors=False),
        Config("hybrid-chunkvec-pool50", "hybrid RRF, 50 candidates, chunk vectors only",
               candidates=50, sentence_vectors=False),
    ]
}  # fmt: skip


class BenchSearcher(Searcher):
    """The index's Searcher with the bench's variants: unstemmed BM25 and weighted RRF."""

    def __init__(self, base: Searcher, config: Config) -> None:
        super().__init__(base.snapshot, base.embedder)
        self.config = config
        self._keyword = (
            KeywordIndex.build(
                [embedding_text(chunk) for chunk in base.snapshot.chunks], stem=False
            )
            if config.unstemmed
            else base.snapshot.keyword_index
        )

    @property
    def keyword_index(self) -> KeywordIndex:
        return self._keyword

    def fuse(
        self,
        query_vector: np.ndarray,
        dense: list[tuple[int, float]],
        keyword: list[tuple[int, float]],
        k: int,
        *,
        query_writing: str | None = None,
        translated: list[tuple[int, float]] | None = None,
        concepts: frozenset[int] = frozenset(),
    ) -> list[SearchHit]:
        if self.config.default_fusion:
            return super().fuse(
                query_vector,
                dense,
                keyword,
                k,
                query_writing=query_writing,
                translated=translated,
                concepts=concepts,
            )
        # Weighted RRF; only the ordering matters to the benchmark, so plain scores suffice.
        fused: dict[int, float] = {}
        weighted = ((dense, self.config.dense_weight), (keyword, self.config.keyword_weight))
        for ranking, weight in weighted:
            for rank, (row, _) in enumerate(ranking, start=1):
                fused[row] = fused.get(row, 0.0) + weight / (self.config.rrf_k + rank)
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        return [SearchHit(chunk=self.snapshot.chunks[row], score=fused[row]) for row in best]


def rank_documents(hits: list[SearchHit]) -> dict[str, float]:
    """Score each article by its best chunk; scores fall with rank so ties cannot reorder."""
    ranked: dict[str, float] = {}
    for hit in hits:  # hits come best first, so an article's first hit is its best chunk
        article_id = hit.chunk.article_id
        if article_id not in ranked:
            ranked[article_id] = float(len(hits) - len(ranked))
    return ranked


def evaluate(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]
) -> dict[str, float]:
    """Compute METRICS with ranx, counting a query with no results as scoring zero."""
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    filled = {query_id: run.get(query_id) or {} for query_id in qrels}
    scores = ranx_evaluate(
        Qrels(qrels),
        Run({q: docs for q, docs in filled.items() if docs}),
        list(METRICS),
        make_comparable=True,
    )
    return {metric: float(scores[metric]) for metric in METRICS}
