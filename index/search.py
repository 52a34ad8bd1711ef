"""Hybrid search: dense FAISS neighbours fused with BM25 keyword ranks (reciprocal rank fusion)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np

from index.documents import SearchHit
from index.embedders.base import Embedder
from index.fusion import ranks, reciprocal_rank_scores
from index.glossary import default_glossary
from index.keyword import KeywordIndex
from index.normalize import keyword_writing, language_writing
from index.sentence_vectors import sentence_texts
from index.store import IndexSnapshot, IndexStoreError, check_model, load_snapshot
from index.track_catalog import TrackCatalog
from index.tuning import SEARCH_TUNING


@dataclass(frozen=True)
class SearchFilters:
    """Optional restrictions on which chunks may be returned."""

    published_from: date | None = None
    published_to: date | None = None
    sources: frozenset[str] = frozenset()
    # Article keys, e.g. one negotiation track's reports; empty allows every article.
    articles: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(self.published_from or self.published_to or self.sources or self.articles)


class Searcher:
    """Answers queries against one loaded index generation."""

    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder) -> None:
        check_model(snapshot.manifest, embedder, snapshot.directory)
        self.snapshot = snapshot
        self.embedder = embedder
        self._source_names = np.array([chunk.source.casefold() for chunk in snapshot.chunks])
        self._dates = np.array(
            [chunk.published.toordinal() for chunk in snapshot.chunks], dtype=np.int64
        )

    def _writing(self, row: int) -> str | None:
        """Return which queries a chunk's words can match, from its recorded language."""
        return language_writing(self.snapshot.chunks[row].language)

    @classmethod
    def open(cls, index_dir: Path, embedder: Embedder) -> Searcher:
        snapshot = load_snapshot(index_dir)
        if snapshot is None:
            raise IndexStoreError(
                f"no index in {index_dir}: run `negobot ingest data/articles` first"
            )
        return cls(snapshot, embedder)

    @property
    def version(self) -> str:
        return self.snapshot.version

    @property
    def newest_published(self) -> date | None:
        """Return the publication date of the newest chunk in the index."""
        if not len(self._dates):
            return None
        return date.fromordinal(int(self._dates.max()))

    @property
    def oldest_published(self) -> date | None:
        """Return the publication date of the oldest chunk in the index."""
        if not len(self._dates):
            return None
        return date.fromordinal(int(self._dates.min()))

    @property
    def keyword_index(self) -> KeywordIndex:
        return self.snapshot.keyword_index

    def _allowed(self, filters: SearchFilters) -> np.ndarray | None:
        if not filters.active:
            return None
        allowed = np.ones(len(self.snapshot.chunks), dtype=bool)
        if filters.published_from:
            allowed &= self._dates >= filters.published_from.toordinal()
        if filters.published_to:
            allowed &= self._dates <= filters.published_to.toordinal()
        if filters.sources:
            wanted = [source.casefold() for source in filters.sources]
            allowed &= np.isin(self._source_names, wanted)
        if filters.articles:
            allowed &= np.isin(self._article_ids, sorted(filters.articles))
        return allowed

    @cached_property
    def _article_ids(self) -> np.ndarray:
        return np.array([chunk.article_id for chunk in self.snapshot.chunks])

    @cached_property
    def tracks(self) -> TrackCatalog:
        """The negotiation tracks of this generation."""
        return TrackCatalog(self.snapshot)

    def concept_scores(self, query: str, hits: list[SearchHit]) -> list[float]:
        """Return, per hit, the summed rarity of the query's glossary concepts its passage names.

        The passages' concepts are the ones recorded at ingest; the hits must come from this
        searcher, which gives each its row.
        """
        rows = [hit.row for hit in hits if hit.row is not None]
        if len(rows) != len(hits):
            raise ValueError("concept_scores needs hits returned by this searcher")
        wanted = default_glossary().concept_numbers(query)
        scores = self.snapshot.concept_index.scores(wanted, rows)
        return [scores[row] for row in rows]

    def stored_sentence_vectors(self, hits: list[SearchHit]) -> dict[str, np.ndarray]:
        """Return the vectors ingest stored for the hits' sentences, by the text embedded.

        Empty for an index without sentence vectors; hits must come from this searcher.
        """
        sentences = self.snapshot.sentence_vectors
        rows = [hit.row for hit in hits if hit.row is not None]
        if sentences is None or not rows:
            return {}
        vectors, indptr = sentences.of_rows(rows)
        found: dict[str, np.ndarray] = {}
        for number, row in enumerate(rows):
            texts = [embedded for _, embedded in sentence_texts(self.snapshot.chunks[row].text)]
            found.update(zip(texts, vectors[indptr[number] : indptr[number + 1]], strict=True))
        return found

    def naming(self, query: str, k: int, query_vector: np.ndarray) -> list[SearchHit]:
        """Return the k chunks naming the most of the query's glossary concepts, by rarity.

        Any language, whatever their wording: for finding the newest report on a subject, which
        the dense and keyword votes can miss when it is written in another language.
        """
        wanted = default_glossary().concept_numbers(query)
        if not wanted or not len(self.snapshot.chunks):
            return []
        scores = self.snapshot.concept_index.all_scores(wanted)
        rows = [int(r) for r in np.lexsort((np.arange(len(scores)), -scores))[:k] if scores[r] > 0]
        cosines = np.asarray(self.snapshot.vectors[rows]) @ query_vector if rows else []
        return [
            SearchHit(chunk=self.snapshot.chunks[row], score=0.0, dense_score=float(c), row=row)
            for row, c in zip(rows, cosines, strict=True)
        ]

    def dense(
        self, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Return (row, cosine) of the k nearest chunks, exact when a filter restricts the rows.

        With sentence vectors, chunks are ranked by the better of their own cosine and their best
        sentence's (index/sentence_vectors.py); the cosine returned is the chunk's own, which the
        abstention threshold is calibrated on.
        """
        sentences = self.snapshot.sentence_vectors
        if allowed is not None:
            rows = np.flatnonzero(allowed)
        else:
            _, found = self.snapshot.vector_index.search(query_vector[None, :], k)
            rows = found[0][found[0] >= 0]
            if sentences is not None:
                rows = np.union1d(rows, sentences.nearest_chunks(query_vector, k))
        if rows.size == 0:
            return []
        cosines = np.asarray(self.snapshot.vectors[rows]) @ query_vector
        ranking = (
            cosines
            if sentences is None
            else np.maximum(cosines, sentences.best(query_vector, rows))
        )
        top = np.lexsort((rows, -ranking))[:k]
        return [(int(rows[i]), float(cosines[i])) for i in top]

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        candidates: int = SEARCH_TUNING.candidates,
        query_vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Return the k best chunks for the query; mode is 'hybrid', 'dense' or 'keyword'."""
        filters = filters or SearchFilters()
        allowed = self._allowed(filters)
        pool = max(candidates, k)
        if query_vector is None:
            query_vector = self.embedder.encode([query], kind="query")[0]
        dense = self.dense(query_vector, pool, allowed) if mode != "keyword" else []
        if mode == "dense":
            return self.fuse(query_vector, dense, [], k)
        keyword = self.keyword_index.top(query, pool, allowed)
        if mode == "keyword":
            return self.fuse(query_vector, [], keyword, k)
        writing = keyword_writing(query)
        glossary = default_glossary()
        translated: list[tuple[int, float]] = []
        concepts: frozenset[int] = frozenset()
        if writing in ("uk", "ru", "cyrillic"):
            english = glossary.english_terms(query)
            if english:
                translated = self.keyword_index.top(english, pool, allowed)
            # English questions have BM25 over the English majority of the library; for them the
            # concept vote only counted common words twice (SciFact NDCG@10 0.722 -> 0.680).
            concepts = glossary.concept_numbers(query)
        return self.fuse(
            query_vector,
            dense,
            keyword,
            k,
            query_writing=writing,
            translated=translated,
            concepts=concepts,
        )

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
        """Combine the rankings by reciprocal rank fusion; every hit carries its cosine.

        Keywords cannot match a passage written in another alphabet or another Cyrillic language
        than the query (see `keyword_writing`), so such a passage would lose the keyword vote to
        every passage in the query's language, whatever its meaning. With `query_writing` given,
        such a passage's keyword vote is the better of its own keyword rank and a stand-in: its
        rank for the question's terms in English (`translated`, from index/glossary.py) when it
        is written in Latin letters and there are such terms, else its dense rank.

        `concepts` (glossary concepts the question names) adds a third vote among the passages
        the other two found: ranked by the summed rarity of those concepts each passage names,
        whatever its language (index/concepts.py).
        """
        dense_rank = ranks(row for row, _ in dense)
        keyword_rank = ranks(row for row, _ in keyword)
        keyword_vote = dict(keyword_rank)
        if query_writing is not None:
            # English passages get a keyword rank of their own from the translated terms; other
            # passages the query's words cannot reach have their dense rank stand in.
            translated_rank = ranks(row for row, _ in translated or [])
            for row in dense_rank.keys() | translated_rank.keys():
                writing = self._writing(row)
                if writing in (query_writing, None):
                    continue
                stand_in = translated_rank if translated and writing == "latin" else dense_rank
                rank = stand_in.get(row)
                if rank is not None:
                    # Stray matches on shared short words do not make the keyword ranking fair.
                    keyword_vote[row] = min(rank, keyword_vote.get(row, rank))
        fused = reciprocal_rank_scores([dense_rank, keyword_vote])
        concept_rank: dict[int, int] = {}
        if concepts:
            named = self.snapshot.concept_index.scores(concepts, fused)
            # Equal concept scores keep the order the other two votes gave them.
            ranked = sorted(
                (row for row in named if named[row] > 0),
                key=lambda row: (-named[row], -fused[row], row),
            )
            concept_rank = ranks(ranked)
            for row, vote in reciprocal_rank_scores([concept_rank]).items():
                fused[row] += vote
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        cosine = dict(dense)
        missing = [row for row in best if row not in cosine]
        if missing:
            vectors = np.asarray(self.snapshot.vectors[missing])
            cosine.update(zip(missing, (vectors @ query_vector).tolist(), strict=True))
        return [
            SearchHit(
                chunk=self.snapshot.chunks[row],
                score=fused[row],
                dense_score=float(cosine[row]),
                dense_rank=dense_rank.get(row),
                keyword_rank=keyword_rank.get(row),
                concept_rank=concept_rank.get(row),
                row=row,
            )
            for row in best
        ]
