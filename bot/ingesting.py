"""Run an ingest from settings: the glue between the command line (or /reindex) and `index`."""

from __future__ import annotations

from bot import metrics
from bot.alerts.queueing import queue_ingest_alerts
from bot.config import Settings
from bot.profile import active_profile
from index.chunking import ChunkingSettings
from index.embedders.base import Embedder, set_threads
from index.embedders.registry import load_embedder
from index.fetch import load_sources
from index.ingest import IngestReport, ingest_articles
from index.store import index_write_lock


def chunking_from(settings: Settings) -> ChunkingSettings:
    """Return the chunking settings the index is built with."""
    return ChunkingSettings(
        max_tokens=settings.chunk_tokens,
        overlap_sentences=settings.chunk_overlap_sentences,
        sentence_vectors=settings.sentence_vectors,
    )


def run_ingest(
    settings: Settings,
    paths: list[str],
    *,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    progress: bool = False,
    queue_alerts: bool = True,
) -> IngestReport:
    """Ingest files, folders and feed or article URLs into the index (reusing `embedder`).

    With `queue_alerts`, the chats following a track that received reports get an alert queued.
    """
    if embedder is None:
        set_threads(settings.ingest_threads)
        embedder = load_embedder(settings.embedding_model)
    # One writer at a time: two ingests into one folder would pick the same generation number.
    with index_write_lock(settings.index_dir):
        report = ingest_articles(
            load_sources(paths),
            index_dir=settings.index_dir,
            embedder=embedder,
            chunking=chunking_from(settings),
            rebuild=rebuild,
            progress=progress,
            tracks=active_profile().tracks,
        )
    metrics.record_ingest(report)
    if queue_alerts:
        queue_ingest_alerts(settings, report)
    return report
