"""Questions about two parties the library never reports on together.

A library of news on some negotiations names their parties, their mediators and hosts, often in
one report: "the US and China in Geneva", "Israel and Hamas, mediated by Qatar and Egypt". A
question that names two parties no report of the library names together (India and China, Russia
and Japan, the EU and the US in a library without EU trade talks) asks about a relation the
library does not cover, however close its words come to a report on one of them. Cosines cannot
tell that apart: "the India–China border talks" is near the India–Pakistan reports and the
US–China ones at once. The parties come from the gazetteer (index/parties.py), the same one the
library's reports were read with at ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import combinations

from index.parties import Gazetteer, default_gazetteer

# Words that make a question one about a negotiation: talks, a deal, a ceasefire, a treaty.
_NEGOTIATION = re.compile(
    r"(?<!\w)(talks|talking|negotiat\w*|agree\w*|deal|deals|accord|accords|treaty|treaties|"
    r"sign|signed|ceasefire\w*|cease-fire\w*|truce\w*|peace|summit\w*|mediat\w*|dialogue|"
    r"переговор\w*|угод\w*|домовл\w*|домовил\w*|договор\w*|договір\w*|перемир\w*|мирн\w*|"
    r"саміт\w*|посередн\w*|діалог\w*|погодил\w*|підпис\w*|"
    r"соглас\w*|подписа\w*|перемири\w*|саммит\w*|посредни\w*|диалог\w*)(?!\w)",
    re.IGNORECASE,
)


def parties_outside(
    question: str,
    reported: Sequence[frozenset[str]],
    gazetteer: Gazetteer | None = None,
    every_party: frozenset[str] | None = None,
) -> tuple[str, ...] | None:
    """Return the parties that put a question outside what the library reports on, or None.

    Two parties no report names together (`parties_apart`), or, in a question about a
    negotiation, one party no report names at all (`unheld_party`); the question's parties are
    found once for both. `every_party` is the union of `reported` where the caller holds it
    (TrackCatalog.every_reported_party), so it is not formed again for every question.
    """
    if not reported:
        return None
    named = _named(question, gazetteer)
    pair = first_apart(named, reported)
    if pair is not None:
        return pair
    party = _first_unheld(question, named, _every_party(reported, every_party))
    return None if party is None else (party,)


def parties_apart(
    question: str,
    reported: Sequence[frozenset[str]],
    gazetteer: Gazetteer | None = None,
) -> tuple[str, str] | None:
    """Return two parties the question names that no report names together, or None.

    `reported` holds the parties each report of the library names. None too when the library
    records no parties (an index built before they were recorded): nothing can be told apart.
    """
    if not reported:
        return None
    return first_apart(_named(question, gazetteer), reported)


def first_apart(named: Iterable[str], reported: Sequence[frozenset[str]]) -> tuple[str, str] | None:
    """Return the first pair of `named` that no set in `reported` holds both of, or None."""
    for pair in combinations(named, 2):
        if not any(pair[0] in parties and pair[1] in parties for parties in reported):
            return pair
    return None


def unheld_party(
    question: str,
    reported: Sequence[frozenset[str]],
    gazetteer: Gazetteer | None = None,
    every_party: frozenset[str] | None = None,
) -> str | None:
    """Return a party a question about a negotiation names that no report names at all, or None.

    Talks of a state the library never mentions ("the Philippines and China in the South China
    Sea") are talks the library does not hold, whoever the other side is. Only for questions
    about a negotiation: "Is Morocco's economy growing?" is left to the scope margin. None too
    when the library records no parties. `every_party` is the union of `reported`, if known.
    """
    if not reported:
        return None
    named = _named(question, gazetteer)
    return _first_unheld(question, named, _every_party(reported, every_party))


def _named(question: str, gazetteer: Gazetteer | None) -> list[str]:
    """Return the parties the question names, sorted."""
    return sorted((gazetteer or default_gazetteer()).count(question))


def every_party_of(reported: Iterable[frozenset[str]]) -> frozenset[str]:
    """Return every party any of the reports names."""
    return frozenset().union(*reported)


def _every_party(
    reported: Sequence[frozenset[str]], every_party: frozenset[str] | None
) -> frozenset[str]:
    return every_party_of(reported) if every_party is None else every_party


def _first_unheld(question: str, named: Sequence[str], held: frozenset[str]) -> str | None:
    """Return the first named party outside `held`, in a question about a negotiation."""
    if not _NEGOTIATION.search(question):
        return None
    return next((party for party in named if party not in held), None)
