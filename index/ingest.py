"""Ingest: load articles, skip what the index already has, chunk and embed the rest, publish."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from index.chunking import ChunkingSettings, chunk_article, embedding_text
from index.concepts import ConceptIndex
from index.contextual_sentences import embed_chunks_with_sentences
from index.documents import Article, Chunk, LoadProblem, identifies_article
from index.embedders.base import (
    SENTENCES_CONTEXTUAL,
    Embedder,
    encode_in_batches,
    sentence_recipe,
    vector_space,
)
from index.ingest_report import EncodeTimer, IngestReport
from index.keyword import KeywordIndex
from index.parties import default_gazetteer
from index.sentence_vectors import SentenceVectors, embed_sentences
from index.store import (
    ArticleEntry,
    IndexSnapshot,
    IndexStoreError,
    check_model,
    load_snapshot,
    write_generation,
)
from index.tracking import overrides_json, tracks_of, with_tracks
from index.tracks import Track, TrackOverrides
from index.tuning import SEARCH_TUNING
from index.vectors import build_vector_index


def _text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8")).hexdigest()[:32]


def ingest_articles(
    items: Iterable[Article | LoadProblem],
    *,
    index_dir: Path,
    embedder: Embedder,
    chunking: ChunkingSettings | None = None,
    rebuild: bool = False,
    progress: bool = False,
    flat_limit: int = SEARCH_TUNING.flat_limit,
    tracks: TrackOverrides | None = None,
) -> IngestReport:
    """Add new and changed articles to the index at `index_dir`, re-embedding nothing else."""
    started = time.perf_counter()
    chunking = chunking or ChunkingSettings()
    report = IngestReport()
    snapshot = None if rebuild else load_snapshot(index_dir)
    if snapshot is not None:
        check_model(snapshot.manifest, embedder, index_dir)
        if snapshot.manifest.get("chunking") != chunking.to_json():
            # Old chunks were cut differently; mixing the two would make results uneven.
            raise IndexStoreError(
                f"index {index_dir} was chunked with {snapshot.manifest.get('chunking')}, "
                f"not {chunking.to_json()}; rebuild it with `negobot ingest --rebuild`"
            )
    known: dict[str, ArticleEntry] = dict(snapshot.articles) if snapshot else {}
    key_by_url = {entry.url: key for key, entry in known.items() if identifies_article(entry.url)}
    key_by_text = {entry.text_hash: key for key, entry in known.items()}

    incoming: dict[str, tuple[Article, str]] = {}
    seen_urls: set[str] = set()
    seen_texts: set[str] = set()
    seen_keys: set[str] = set()
    for item in items:
        if isinstance(item, LoadProblem):
            report.problems.append(item)
            report.skipped[_problem_kind(item)] += 1
            continue
        text_hash = _text_hash(item.text)
        article_url = item.url if identifies_article(item.url) else ""
        if (article_url and article_url in seen_urls) or text_hash in seen_texts:
            report.skipped["duplicate"] += 1
            continue
        seen_texts.add(text_hash)
        if article_url:
            seen_urls.add(article_url)
        key = item.key
        if key not in known and article_url in key_by_url:
            key = key_by_url[article_url]
        if key in seen_keys:  # the same id twice in one run: the first one wins, like a duplicate
            report.skipped["duplicate"] += 1
            continue
        seen_keys.add(key)
        if key in known:
            if known[key].content_hash == item.content_hash:
                report.unchanged += 1
                continue
            report.replaced += 1
        elif text_hash in key_by_text:
            report.skipped["duplicate"] += 1
            continue
        else:
            report.added += 1
        incoming[key] = (item, text_hash)

    stale = snapshot is not None and _lacks_current_parts(snapshot, chunking, tracks)
    if not incoming and not stale:
        if snapshot is not None:
            report.total_articles = len(snapshot.articles)
            report.total_chunks = len(snapshot.chunks)
        report.seconds = time.perf_counter() - started
        return report

    new_chunks: list[Chunk] = []
    for key, (article, _) in incoming.items():
        new_chunks.extend(
            chunk_article(
                article,
                article_id=key,
                settings=chunking,
                count_tokens=embedder.count_tokens,
                window_tokens=embedder.max_tokens,
            )
        )
    timer = EncodeTimer(embedder)
    recipe = sentence_recipe(embedder)
    new_sentences: tuple[np.ndarray, np.ndarray] | None = None
    if chunking.sentence_vectors and recipe == SENTENCES_CONTEXTUAL:
        new_vectors, sentences, indptr = embed_chunks_with_sentences(
            timer, new_chunks, progress=progress
        )
        new_sentences = (sentences, indptr)
    else:
        new_vectors = _embed(timer, new_chunks, progress=progress)
    report.chunks_embedded = len(new_chunks)

    kept_chunks: list[Chunk] = []
    kept_rows: list[int] = []
    if snapshot is not None:
        for row, chunk in enumerate(snapshot.chunks):
            if chunk.article_id not in incoming:
                kept_chunks.append(chunk)
                kept_rows.append(row)
    all_chunks = kept_chunks + new_chunks
    parts = [np.asarray(snapshot.vectors[kept_rows])] if snapshot is not None and kept_rows else []
    all_vectors = np.vstack([*parts, new_vectors]) if parts else new_vectors
    sentence_vectors = None
    if chunking.sentence_vectors:
        sentence_vectors = _sentence_vectors(
            timer,
            snapshot,
            kept_rows,
            kept_chunks,
            (new_chunks, new_sentences),
            report,
            progress,
            flat_limit,
        )
    report.upgraded = stale and not report.changed

    articles: dict[str, ArticleEntry] = {
        key: entry for key, entry in known.items() if key not in incoming
    }
    for key, (article, text_hash) in incoming.items():
        articles[key] = ArticleEntry(
            key=key,
            content_hash=article.content_hash,
            text_hash=text_hash,
            url=article.url,
            title=article.title,
            published=article.published.isoformat(),
            source=article.source,
            language=article.language,
            parties=dict(default_gazetteer().count(f"{article.title}\n{article.text}")),
        )
    for row, chunk in enumerate(all_chunks):
        articles[chunk.article_id].rows.append(row)
    previous_tracks = tracks_of(snapshot.manifest) if snapshot is not None else []
    found_tracks = with_tracks(articles, all_chunks, all_vectors, previous_tracks, tracks)
    report.tracks_added = _tracks_added(found_tracks, set(incoming))

    manifest = {
        "model": embedder.name,
        "vector_space": vector_space(embedder),
        "dimension": embedder.dimension,
        "chunking": chunking.to_json(),
        "embedding_window": embedder.max_tokens,
        "tracks": [track.to_json() for track in found_tracks],
        "track_overrides": overrides_json(tracks),
    }
    if sentence_vectors is not None:
        manifest["sentence_recipe"] = recipe
    texts = [embedding_text(chunk) for chunk in all_chunks]
    folder = write_generation(
        index_dir,
        manifest=manifest,
        chunks=all_chunks,
        articles=articles,
        vectors=all_vectors,
        vector_index=build_vector_index(all_vectors, flat_limit=flat_limit),
        keyword_index=KeywordIndex.build(texts),
        concept_index=ConceptIndex.build(texts),
        sentence_vectors=sentence_vectors,
    )
    report.index_version = folder.name
    report.total_articles = len(articles)
    report.total_chunks = len(all_chunks)
    report.seconds = time.perf_counter() - started
    report.encode_seconds = timer.seconds
    return report


def _lacks_current_parts(
    snapshot: IndexSnapshot, chunking: ChunkingSettings, tracks: TrackOverrides | None
) -> bool:
    """Whether an unchanged library's index should be written again to match these settings.

    Generations from older versions lack sentence vectors or tracks, or recorded their concepts
    with another glossary (found again at every load until then); a deployer may have renamed
    or merged tracks since.
    """
    has_sentences = snapshot.sentence_vectors is not None
    concepts_current = snapshot.manifest.get("glossary") == snapshot.concept_index.digest
    overrides_current = snapshot.manifest.get("track_overrides") == overrides_json(tracks)
    tracks_current = "tracks" in snapshot.manifest and overrides_current
    return has_sentences != chunking.sentence_vectors or not concepts_current or not tracks_current


def _tracks_added(tracks: list[Track], keys: set[str]) -> dict[str, list[str]]:
    """Return, per track, the articles of this run that are in it."""
    added = {track.id: [key for key in track.articles if key in keys] for track in tracks}
    return {track_id: found for track_id, found in added.items() if found}


def _sentence_vectors(
    embedder: Embedder,
    snapshot: IndexSnapshot | None,
    kept_rows: list[int],
    kept_chunks: list[Chunk],
    new: tuple[list[Chunk], tuple[np.ndarray, np.ndarray] | None],
    report: IngestReport,
    progress: bool,
    flat_limit: int,
) -> SentenceVectors:
    """Return the sentence vectors of the kept chunks (reused where stored) then the new ones.

    `new` holds the new chunks and their sentence vectors when the chunk pass already made them.
    """
    new_chunks, made = new
    if snapshot is not None and snapshot.sentence_vectors is not None:
        kept_vectors, kept_indptr = snapshot.sentence_vectors.of_rows(kept_rows)
    else:
        kept_vectors, kept_indptr = _embed_sentences(embedder, kept_chunks, progress=progress)
        report.sentences_embedded += int(kept_indptr[-1])
    new_vectors, new_indptr = made or _embed_sentences(embedder, new_chunks, progress=progress)
    report.sentences_embedded += int(new_indptr[-1])
    indptr = np.concatenate([kept_indptr, new_indptr[1:] + kept_indptr[-1]])
    vectors = np.vstack([kept_vectors, new_vectors])
    return SentenceVectors.build(vectors, indptr, flat_limit=flat_limit)


def _embed_sentences(
    embedder: Embedder, chunks: list[Chunk], *, progress: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Embed the chunks' sentences by the embedder's recipe (a chunk pass, or each alone)."""
    if sentence_recipe(embedder) == SENTENCES_CONTEXTUAL:
        _, vectors, indptr = embed_chunks_with_sentences(embedder, chunks, progress=progress)
        return vectors, indptr
    return embed_sentences(embedder, chunks, progress=progress and bool(chunks))


def _embed(embedder: Embedder, chunks: list[Chunk], *, progress: bool) -> np.ndarray:
    texts = [embedding_text(chunk) for chunk in chunks]
    return encode_in_batches(embedder, texts, desc="embedding", unit="chunk", progress=progress)


def _problem_kind(problem: LoadProblem) -> str:
    """Group problems for the summary by the first words of their reason."""
    return " ".join(problem.reason.split(":")[0].split()[:3])
