"""The answers benches' library: its index built through the normal ingest path, and the reader."""

from __future__ import annotations

from pathlib import Path

from bot.profile import activate, load_profile
from bot.reader.model import MODEL_DIR, Reader
from index.chunking import ChunkingSettings
from index.embedders.base import Embedder
from index.ingest import ingest_articles
from index.loaders import load_articles
from index.search import Searcher


def open_library(
    embedder: Embedder, articles: Path, index_dir: Path, profile: Path | None = None
) -> Searcher:
    """Index the articles through the normal ingest path (an index already there is updated).

    The deployment profile (the packaged default unless given) supplies the glossary files and
    track names, as `negobot ingest` does.
    """
    chosen = load_profile(profile)
    activate(chosen)
    ingest_articles(
        load_articles([articles]),
        index_dir=index_dir,
        embedder=embedder,
        chunking=ChunkingSettings(),
        tracks=chosen.tracks,
    )
    return Searcher.open(index_dir, embedder)


def load_reader(folder: str | None, threshold: float | None) -> Reader | None:
    """Return the reader in `folder` ("shipped" for the packaged one), or None when not asked."""
    if folder is None:
        return None
    return Reader.load(MODEL_DIR if folder == "shipped" else Path(folder), threshold=threshold)
