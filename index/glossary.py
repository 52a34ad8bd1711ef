"""Translate the key terms of a Ukrainian or Russian question into English for keyword search.

BM25 cannot match "пасхальное перемирие" to "Easter truce", and the multilingual encoder, small as
it is, often cannot either: it ranks the Victory Day truce first. A glossary of the terms that
recur in negotiation news (index/data/glossary.tsv: one concept per row, English forms, then
Ukrainian and Russian stems) turns the question's Cyrillic words into English ones that the
keyword index can look up. That file holds general negotiation vocabulary; a deployment adds the
names, places and events of its own negotiations from files of the same form
(`use_extra_glossaries`, called with the deployment profile's files). Stems match any word
they begin, so "пасхальн" covers every case ending; a multiword stem ("день побед") needs its
words in a row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.keyword import APOSTROPHE, tokenize
from index.tsv import read_rows
from index.tuning import SEARCH_TUNING

GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary.tsv"
_CYRILLIC_WORD = re.compile(r"[а-яёіїєґ]+")
# Apostrophes inside Ukrainian words (APOSTROPHE) are dropped, as the keyword tokenizer drops them.


@dataclass(frozen=True)
class Concept:
    """One glossary row: its English forms and the Cyrillic stem sequences that name it."""

    english: tuple[str, ...]
    stems: tuple[tuple[str, ...], ...]


class Glossary:
    """Finds the concepts a text names: in Ukrainian or Russian stems, or in English words."""

    def __init__(self, concepts: list[Concept], digest: str = "") -> None:
        self.concepts = concepts
        # Changes whenever the file does, so concepts recorded with an older glossary are redone.
        self.digest = digest
        # Index by the first letters of each sequence's first stem, so a question is checked
        # only against stems that could match its words.
        self._by_prefix: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        # English forms are matched as keyword tokens (stemmed, stopwords dropped), so
        # "prisoners of war" also finds "prisoner of war".
        self._by_first_token: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for number, concept in enumerate(concepts):
            for sequence in concept.stems:
                self._by_prefix.setdefault(
                    sequence[0][: SEARCH_TUNING.glossary_min_stem], []
                ).append((sequence, number))
            for form in concept.english:
                tokens = tuple(tokenize(form))
                if tokens:
                    self._by_first_token.setdefault(tokens[0], []).append((tokens, number))

    @classmethod
    def read(cls, path: Path = GLOSSARY, *more: Path) -> Glossary:
        """Read glossary files, one after the other; a malformed row is named by file and line."""
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in (path, *more))).hexdigest()[:16]
        concepts: list[Concept] = []
        for each in (path, *more):
            concepts.extend(_read_concepts(each))
        return cls(concepts, digest)

    def concepts_in(self, text: str) -> list[Concept]:
        """Return the concepts whose Cyrillic stems the text contains, in order of appearance."""
        return [self.concepts[number] for number in self._cyrillic_numbers(text)]

    def concept_numbers(self, text: str) -> frozenset[int]:
        """Return the positions in `concepts` of every concept the text names, in any language."""
        tokens = tokenize(text)
        english = {
            number
            for start, token in enumerate(tokens)
            for sequence, number in self._by_first_token.get(token, ())
            if tuple(tokens[start : start + len(sequence)]) == sequence
        }
        return frozenset(english.union(self._cyrillic_numbers(text)))

    def _cyrillic_numbers(self, text: str) -> list[int]:
        words = _CYRILLIC_WORD.findall(APOSTROPHE.sub("", text.lower()))
        found: list[int] = []
        for start, word in enumerate(words):
            for sequence, number in self._by_prefix.get(
                word[: SEARCH_TUNING.glossary_min_stem], ()
            ):
                if number not in found and _starts_with(words[start:], sequence):
                    found.append(number)
        return found

    def english_terms(self, text: str) -> str:
        """Return the English forms of the concepts the text names, as one query string."""
        concepts = self.concepts_in(text)
        return " ".join(dict.fromkeys(form for concept in concepts for form in concept.english))


def _read_concepts(path: Path) -> list[Concept]:
    """Read one glossary file's rows; a malformed row is named by its line number."""
    _, rows = read_rows(path, width=3, expected="three columns: en, uk, ru")
    concepts = []
    for number, cells in rows:
        english = tuple(form.strip() for form in cells[0].split("|") if form.strip())
        stems = tuple(
            tuple(form.lower().split())
            for cell in cells[1:]
            for form in APOSTROPHE.sub("", cell).split("|")
            if form.strip()
        )
        short = [
            stem
            for sequence in stems
            for stem in sequence
            if len(stem) < SEARCH_TUNING.glossary_min_stem
        ]
        if short:
            raise ValueError(
                f"{path}:{number}: stems shorter than {SEARCH_TUNING.glossary_min_stem}: {short}"
            )
        concepts.append(Concept(english=english, stems=stems))
    return concepts


def _starts_with(words: list[str], stems: tuple[str, ...]) -> bool:
    """Return whether the words begin with one word per stem, each starting with its stem."""
    return len(words) >= len(stems) and all(
        word.startswith(stem) for word, stem in zip(words, stems, strict=False)
    )


_extra_glossaries: tuple[Path, ...] = ()


def use_extra_glossaries(paths: tuple[Path, ...]) -> None:
    """Add a deployment's own glossary files to the shipped one from now on."""
    global _extra_glossaries
    if tuple(paths) != _extra_glossaries:
        _extra_glossaries = tuple(paths)
        default_glossary.cache_clear()


@cache
def default_glossary() -> Glossary:
    """Return the shipped glossary plus the deployment's files, read once."""
    return Glossary.read(GLOSSARY, *_extra_glossaries)
