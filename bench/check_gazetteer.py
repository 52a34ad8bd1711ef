"""Check the party gazetteer (index/data/parties.tsv) against the libraries and question sets.

Run from the repository root: `python bench/check_gazetteer.py stems` lists, for every Ukrainian
and Russian stem, the words of the libraries (data/articles, data/samples) and of the question
sets that it begins, to be read: a stem must begin only the party's own names and adjectives.
`python bench/check_gazetteer.py rules` runs the two party rules of the coverage judge over
every question set (each against the parties its own library's reports name, as ingest records
them), lists the in-scope questions either would decline and counts, per set, the questions
out of scope each declines; `--skip SET ...` leaves sets out.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from question_sets import manifest  # noqa: E402

from bot.answers.party_pairs import every_party_of, parties_apart, unheld_party  # noqa: E402
from index.keyword import APOSTROPHE  # noqa: E402
from index.parties import Gazetteer, default_gazetteer  # noqa: E402

_CYRILLIC = re.compile(r"[а-яёіїєґ]+(?:[ʼ’'][а-яёіїєґ]+)*", re.IGNORECASE)


def _texts(skip: set[str]) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in (ROOT / "data").rglob("*.md")]
    for entry in manifest():
        if entry.name not in skip:
            texts += [q["question"] for q in _questions(entry.path)]
    return texts


def _questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def stem_matches(texts: list[str], gazetteer: Gazetteer) -> dict[str, Counter[str]]:
    """Return, per stem, the words of the texts it begins (the whole word for a "$" stem)."""
    words = Counter(
        APOSTROPHE.sub("", match.group().lower())
        for text in texts
        for match in _CYRILLIC.finditer(text)
    )
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for party in gazetteer.parties.values():
        for stem in (sequence[0] for sequence in party.stems):
            for word, count in words.items():
                if (word == stem[:-1]) if stem.endswith("$") else word.startswith(stem):
                    found[f"{party.id}:{stem}"][word] += count
    return found


def library_parties(library: Path, gazetteer: Gazetteer) -> tuple[frozenset[str], ...]:
    """Return the parties each article of a library names, as ingest records them."""
    reported = []
    for path in sorted(library.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        named = frozenset(gazetteer.count(text))
        if named:
            reported.append(named)
    return tuple(reported)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("stems", "rules"))
    parser.add_argument("--skip", nargs="*", default=[], help="Question sets to leave out.")
    args = parser.parse_args()
    gazetteer = default_gazetteer()
    skip = set(args.skip)
    if args.what == "stems":
        for stem, words in sorted(stem_matches(_texts(skip), gazetteer).items()):
            print(stem, " ".join(f"{word}:{count}" for word, count in words.most_common()))
        return 0
    fired = 0
    for entry in manifest():
        if entry.name in skip:
            continue
        reported = library_parties(ROOT / entry.library, gazetteer)
        every_party = every_party_of(reported)
        outside = Counter()
        for question in _questions(entry.path):
            text = question["question"]
            apart = parties_apart(text, reported, gazetteer)
            unheld = unheld_party(text, reported, gazetteer, every_party)
            if not question["in_scope"]:
                outside.update({"questions": 1, "apart": bool(apart), "unheld": bool(unheld)})
                outside["either"] += bool(apart or unheld)
                continue
            if apart or unheld:
                fired += 1
                print(f"{entry.name} {question['id']}: apart={apart} unheld={unheld} | {text}")
        print(f"{entry.name}: out of scope {dict(outside)}")
    print(f"{fired} in-scope questions declined by a party rule")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
