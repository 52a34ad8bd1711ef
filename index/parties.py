"""Which states and movements an article names, in English, Ukrainian or Russian.

Negotiation tracks are told apart first by who negotiates with whom. index/data/parties.tsv lists
parties (one per row: an id, the display name per language, English forms matched as whole words
with their capitals, and Ukrainian and Russian stems that match any word they begin; a stem
ending in "$" matches only the whole word, for names that begin ordinary words: "куба$" is Cuba,
not the Kuban; stems of several words match as many words in a row). The longest name is read
first and its words are not read again, so "South Sudan", "Південний Судан" and "Екваторіальна
Гвінея" are not also counted as Sudan or Guinea. It is a gazetteer of the world, not of one
conflict: every UN member state and the parties beside them that negotiate (Kosovo, Taiwan,
Palestine, Western Sahara, the EU, the African Union...), so a new library needs no edit here,
and a question about talks between states the library never names is seen for what it is.

English forms are case-sensitive whole words. Where a state's name is also another common name,
the gazetteer keeps what news on negotiations means by it: "Georgia" is left out (the US state),
Georgia is read from "Tbilisi" and "Georgian"; "Chad" and "Jordan" are kept (a first name is rarer
there than the states); "Turkey" is kept, "turkey" the bird is written in lower case. Capitals that
are also other places or things (Victoria, Kingston, Male, Santiago, Tripoli) are left out, and so
are capitals that name an accord rather than the state (Minsk, Oslo, Helsinki). The Ukrainian and
Russian stems are checked against the ordinary words of the libraries (tests/test_gazetteer.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.keyword import APOSTROPHE
from index.tsv import read_rows

PARTIES = Path(__file__).resolve().parent / "data" / "parties.tsv"
# A Cyrillic word in any case, apostrophes inside it kept (dropped before matching, as APOSTROPHE
# is), so a mention can be placed in the text it was found in.
_CYRILLIC_WORD = re.compile(r"[а-яёіїєґ0-9]+(?:[ʼ’'][а-яёіїєґ0-9]+)*", re.IGNORECASE)
_LANGUAGES = ("en", "uk", "ru")


@dataclass(frozen=True)
class Party:
    """One row of the gazetteer."""

    id: str
    names: dict[str, str]
    english: tuple[str, ...]
    stems: tuple[tuple[str, ...], ...]

    def name(self, language: str) -> str:
        """Return the party's name in `language` (English when not known)."""
        return self.names.get(language, self.names["en"])


@dataclass(frozen=True)
class Mention:
    """Where a text names a party: characters start to end."""

    start: int
    end: int
    party_id: str


class Gazetteer:
    """Counts how often a text names each party."""

    def __init__(self, parties: list[Party]) -> None:
        self.parties = {party.id: party for party in parties}
        forms = sorted(
            ((form, party.id) for party in parties for form in party.english),
            key=lambda pair: -len(pair[0]),
        )
        # Longest forms first, so "South Korea" is not also counted as "Korea"; English forms
        # keep their capitals, which tells "US" from "us".
        self._english = re.compile(
            r"(?<![\w.])(" + "|".join(re.escape(form) for form, _ in forms) + r")(?![\w])"
        )
        self._party_of_form = {form: party_id for form, party_id in forms}
        # Longest sequences first, as with the English forms: "південн судан" is South Sudan,
        # and the words it matched are not read again as Sudan.
        self._stems = sorted(
            ((sequence, party.id) for party in parties for sequence in party.stems),
            key=lambda pair: -len(pair[0]),
        )

    @classmethod
    def read(cls, path: Path = PARTIES) -> Gazetteer:
        """Read a gazetteer file; a malformed row is named by its line number."""
        _, rows = read_rows(path, width=7, expected="seven columns: id, en, uk, ru, forms, stems")
        parties = []
        for _, cells in rows:
            party_id, *names = cells[:4]
            english = tuple(form.strip() for form in cells[4].split("|") if form.strip())
            stems = tuple(
                tuple(form.lower().split())
                for cell in cells[5:]
                for form in APOSTROPHE.sub("", cell).split("|")
                if form.strip()
            )
            parties.append(
                Party(party_id, dict(zip(_LANGUAGES, names, strict=True)), english, stems)
            )
        return cls(parties)

    def count(self, text: str) -> Counter[str]:
        """Return how many times the text names each party."""
        return Counter(mention.party_id for mention in self.mentions(text))

    def mentions(self, text: str) -> list[Mention]:
        """Return where the text names a party: English forms first, then Cyrillic stems.

        The longest name wins and its words are not read again, so "South Sudan" ("Південний
        Судан", "Южный Судан") is not counted as Sudan too.
        """
        found = [
            Mention(match.start(1), match.end(1), self._party_of_form[match.group(1)])
            for match in self._english.finditer(text)
        ]
        matches = list(_CYRILLIC_WORD.finditer(text))
        words = [APOSTROPHE.sub("", match.group().lower()) for match in matches]
        start = 0
        while start < len(words):
            sequence, party_id = self._stem_at(words, start)
            if not sequence:
                start += 1
                continue
            last = matches[start + len(sequence) - 1]
            found.append(Mention(matches[start].start(), last.end(), party_id))
            start += len(sequence)
        return found

    def _stem_at(self, words: list[str], start: int) -> tuple[tuple[str, ...], str]:
        """Return the longest stem sequence the words from `start` on begin, and its party."""
        for sequence, party_id in self._stems:
            if start + len(sequence) <= len(words) and all(
                _begins(words[start + offset], stem) for offset, stem in enumerate(sequence)
            ):
                return sequence, party_id
        return (), ""


def _begins(word: str, stem: str) -> bool:
    """Tell whether a word begins with a stem (is the stem, for one ending in "$")."""
    return word == stem[:-1] if stem.endswith("$") else word.startswith(stem)


@cache
def default_gazetteer() -> Gazetteer:
    """Return the shipped gazetteer, read once."""
    return Gazetteer.read()
