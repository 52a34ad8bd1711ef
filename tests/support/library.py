"""A small library of made-up reports on the talks, for tests of the answering stages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from index.documents import Article
from index.ingest import ingest_articles
from index.search import Searcher
from tests.support.embedders import FakeEmbedder


def report(key: str, day: date, title: str, text: str, source: str = "Reuters") -> Article:
    """Return a made-up English report."""
    return Article(
        title=title,
        text=text,
        published=day,
        source=source,
        url=f"https://example.org/{key}",
        language="en",
        id=key,
    )


LIBRARY = [
    report(
        "first-round",
        date(2025, 5, 16),
        "First Istanbul round",
        "Delegations from Ukraine and Russia met in Istanbul on 16 May. "
        "The Russian delegation was headed by Vladimir Medinsky. "
        "The sides agreed to exchange 1,000 prisoners each.",
    ),
    report(
        "bodies-early",
        date(2025, 6, 2),
        "Bodies to be returned",
        "Russia said it would return the bodies of 6,000 soldiers killed in the war. "
        "No timeline for the return of bodies was given at the talks.",
        source="AP",
    ),
    report(
        "bodies-later",
        date(2025, 6, 16),
        "More bodies returned",
        "Russia said it would return the bodies of 6,060 soldiers killed in the war. "
        "The transfers of bodies were completed over several days in June.",
        source="BBC",
    ),
    report(
        "geneva",
        date(2025, 11, 24),
        "Geneva talks revise the peace plan",
        "American and Ukrainian negotiators met in Geneva on 23 November to revise the peace plan. "
        "The latest draft of the peace plan keeps 19 points after the Geneva talks.",
    ),
]


def library_searcher(folder: Path) -> Searcher:
    """Index LIBRARY with the fake embedder under `folder` and open it."""
    embedder = FakeEmbedder()
    ingest_articles(LIBRARY, index_dir=folder / "index", embedder=embedder)
    return Searcher.open(folder / "index", embedder)
