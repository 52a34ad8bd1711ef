"""Shared fixtures: a fake embedder, small article sets, indexes built from them, databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answers.answerer import Answerer
from index.documents import Article
from index.embedders.base import Embedder
from index.ingest import ingest_articles
from index.loaders import load_articles
from index.search import Searcher
from tests.support.articles import SAMPLE_ARTICLES, synthetic_article
from tests.support.embedders import FakeEmbedder, register_fake

ArticleFactory = Callable[..., list[Article]]

# Fixtures of the log store and review desk tests (a database URL on SQLite and PostgreSQL).
pytest_plugins = ["tests.support.database"]


# NEGOBOT_EMBEDDING_MODEL=fake works in every test run in this process.
register_fake()


@pytest.fixture(scope="session", autouse=True)
def default_profile() -> None:
    """The packaged Ukraine–Russia profile, as every front end activates it from settings."""
    from bot.profile import activate, load_profile

    activate(load_profile())


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A fast deterministic embedder named 'fake' (64 dimensions)."""
    return FakeEmbedder()


@pytest.fixture
def make_articles() -> ArticleFactory:
    """Return a builder: make_articles(count, start=0) gives that many distinct articles."""

    def build(count: int, start: int = 0) -> list[Article]:
        return [synthetic_article(number) for number in range(start, start + count)]

    return build


@pytest.fixture
def sample_articles() -> list[Article]:
    """The sample library in data/articles, loaded."""
    articles = [item for item in load_articles([SAMPLE_ARTICLES]) if isinstance(item, Article)]
    assert articles, "data/articles holds no loadable article"
    return articles


@pytest.fixture
def index_dir(tmp_path: Path, fake_embedder: FakeEmbedder, sample_articles: list[Article]) -> Path:
    """An index folder holding the sample library, embedded with the fake embedder."""
    folder = tmp_path / "index"
    report = ingest_articles(sample_articles, index_dir=folder, embedder=fake_embedder)
    assert report.added == len(sample_articles)
    return folder


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2 model, loaded once per test session."""
    from index.embedders.base import set_threads
    from index.embedders.registry import load_embedder

    set_threads(1)
    return load_embedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def e5_searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    """The sample library indexed with the default multilingual model, once per test session."""
    from index.embedders.base import set_threads
    from index.embedders.registry import load_embedder

    set_threads(1)
    model = load_embedder("multilingual-e5-small")
    folder = tmp_path_factory.mktemp("e5-index")
    articles = [item for item in load_articles([SAMPLE_ARTICLES]) if isinstance(item, Article)]
    ingest_articles(articles, index_dir=folder, embedder=model)
    return Searcher.open(folder, model)


@pytest.fixture
def e5_answerer(e5_searcher: Searcher) -> Answerer:
    """An answerer over the e5 index of the sample library, with the shipped calibration."""
    return Answerer(lambda: e5_searcher, e5_searcher.embedder)
