"""Shared fixtures: a fake embedder, small article sets, and an index built from them."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from bot.answering import Answerer
from index.documents import Article
from index.embedding import Embedder, FakeEmbedder
from index.ingest import ingest_articles
from index.loaders import load_articles
from index.search import Searcher

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = REPO_ROOT / "data" / "articles"

# Words to vary synthetic articles, so no two share a text and their vectors differ.
_PLACES = ("Istanbul", "Riyadh", "Geneva", "Jeddah", "Ankara", "Doha", "Vienna", "Oslo")
_TOPICS = ("prisoners", "energy", "grain", "ports", "bodies", "sanctions", "borders", "children")
_ACTORS = ("envoys", "ministers", "negotiators", "mediators", "officials", "delegates")

ArticleFactory = Callable[..., list[Article]]


def load_bench_script(name: str) -> ModuleType:
    """Import bench/NAME.py by path: bench/ is a folder of scripts, not a package."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_article(number: int, **overrides: object) -> Article:
    """Return a made-up article of a few sentences, distinct for every `number`."""
    place = _PLACES[number % len(_PLACES)]
    topic = _TOPICS[(number // len(_PLACES)) % len(_TOPICS)]
    actors = _ACTORS[number % len(_ACTORS)]
    text = (
        f"Talks number {number} took place in {place}. "
        f"The {actors} discussed {topic} for several hours on day {number}. "
        f"Both sides said meeting {number} was useful and agreed to meet again.\n\n"
        f"A joint statement on {topic} is expected after round {number}."
    )
    fields: dict[str, object] = {
        "title": f"Round {number} of talks in {place}",
        "text": text,
        "published": date(2025, 1, 1) + timedelta(days=number % 365),
        "source": ("Reuters", "AP", "BBC")[number % 3],
        "url": f"https://example.org/news/round-{number}",
        "language": "en",
        "id": f"round-{number}",
    }
    fields.update(overrides)
    return Article(**fields)  # type: ignore[arg-type]


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.calls = 0

    def encode(self, texts: list[str], **options: object) -> np.ndarray:  # type: ignore[override]
        self.calls += 1
        self.texts.extend(texts)
        return super().encode(texts, **options)  # type: ignore[arg-type]


def brute_force_best_sentence(searcher: Searcher, vector: np.ndarray) -> np.ndarray:
    """Return every chunk's best sentence cosine, one chunk at a time."""
    sentences = searcher.snapshot.sentence_vectors
    assert sentences is not None
    return np.array(
        [
            max(sentences.vectors[start:end] @ vector)
            for start, end in itertools.pairwise(sentences.indptr)
        ]
    )


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
    from index.embedding import load_embedder, set_threads

    set_threads(1)
    return load_embedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def e5_searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    """The sample library indexed with the default multilingual model, once per test session."""
    from index.embedding import load_embedder, set_threads

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
