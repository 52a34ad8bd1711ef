"""Questions naming two parties that no report of the library names together."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.deciding import CoverageJudge
from bot.answers.party_pairs import (
    every_party_of,
    first_apart,
    parties_apart,
    parties_outside,
    unheld_party,
)
from bot.answers.query import make_query
from bot.answers.retrieval import retrieve
from tests.support.library import library_searcher

REPORTED = (
    frozenset({"india", "pakistan", "united-states"}),
    frozenset({"china", "united-states", "united-kingdom"}),
    frozenset({"israel", "hamas", "qatar", "egypt"}),
)


def test_a_pair_no_report_names_together_is_found() -> None:
    assert first_apart(["china", "india"], REPORTED) == ("china", "india")
    assert first_apart(["india", "pakistan", "united-states"], REPORTED) is None
    assert first_apart(["egypt", "israel", "japan"], REPORTED) == ("egypt", "japan")
    assert first_apart(["china"], REPORTED) is None and first_apart([], REPORTED) is None


def test_the_question_is_read_with_the_gazetteer_in_any_language() -> None:
    assert parties_apart("What came of the India–China border talks?", REPORTED) == (
        "china",
        "india",
    )
    assert parties_apart("Чим закінчилися переговори Росії та Японії?", REPORTED) == (
        "japan",
        "russia",
    )
    # Mediators named beside the parties are reported with them.
    assert parties_apart("Как Катар и Египет помогли Израилю и ХАМАС?", REPORTED) is None
    assert parties_apart("Did India and Pakistan agree a ceasefire?", REPORTED) is None
    # A question naming one party, or none, is left to the other tests.
    assert parties_apart("What is China's GDP?", REPORTED) is None


def test_a_library_without_recorded_parties_tells_nothing_apart() -> None:
    assert parties_apart("What came of the India–China border talks?", ()) is None


def test_the_catalog_holds_every_party_the_articles_name_formed_once(tmp_path: Path) -> None:
    searcher = library_searcher(tmp_path)
    catalog = searcher.tracks
    articles = searcher.snapshot.articles.values()
    expected = frozenset(party for entry in articles for party in entry.parties)
    assert catalog.every_reported_party == expected
    assert catalog.every_reported_party == every_party_of(catalog.reported_parties)
    assert {"ukraine", "russia"} <= expected


def test_a_given_union_of_parties_is_used_as_held() -> None:
    question = "Did Morocco sign a deal with the Polisario?"
    every = every_party_of(REPORTED) | {"morocco", "western-sahara"}
    assert unheld_party(question, REPORTED) == "morocco"
    assert unheld_party(question, REPORTED, every_party=every) is None
    alone = "Did Morocco sign a trade deal?"
    assert parties_outside(alone, REPORTED) == ("morocco",)
    assert parties_outside(alone, REPORTED, every_party=every) is None


def test_the_judge_declines_two_parties_the_library_never_reports_together(
    tmp_path: Path,
) -> None:
    searcher = library_searcher(tmp_path)
    assert searcher.tracks.reported_parties
    judge = CoverageJudge(searcher.embedder, threshold=-1.0)
    apart = make_query(searcher.embedder, "Did Russia and Japan agree on a peace treaty?")
    assert judge.judge(apart, retrieve(searcher, apart)).reason == "off_topic"
    together = make_query(searcher.embedder, "Did Ukraine and Russia agree on a ceasefire?")
    assert judge.judge(together, retrieve(searcher, together)).covered


def test_talks_of_a_party_no_report_names_are_found() -> None:
    assert unheld_party("Did the Philippines and China agree on the shoal?", REPORTED) == (
        "philippines"
    )
    assert unheld_party("Чи повернула Британія острови Маврикію за угодою?", REPORTED) == (
        "mauritius"
    )
    assert unheld_party("Как идут переговоры Молдовы с Приднестровьем?", REPORTED) == "moldova"
    # Every party named is reported on: the held negotiations and their mediators.
    assert (
        unheld_party("What did Qatar and Egypt mediate between Israel and Hamas?", REPORTED) is None
    )
    # No negotiation asked about: left to the scope margin.
    assert unheld_party("Is Morocco's economy growing?", REPORTED) is None
    assert unheld_party("Did Morocco sign a deal with the Polisario?", REPORTED) == "morocco"
    assert unheld_party("Did Morocco sign a deal with the Polisario?", ()) is None


def test_the_judge_declines_talks_of_a_party_the_library_never_names(tmp_path: Path) -> None:
    searcher = library_searcher(tmp_path)
    judge = CoverageJudge(searcher.embedder, threshold=-1.0)
    unheld = make_query(searcher.embedder, "What did Moldova agree in its talks with Russia?")
    assert judge.judge(unheld, retrieve(searcher, unheld)).reason == "off_topic"
    held = make_query(searcher.embedder, "What did Russia agree in its talks with Ukraine?")
    assert judge.judge(held, retrieve(searcher, held)).covered


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What came of the India–China border talks?", ("china", "india")),
        ("What did Moldova agree on gas transit?", ("moldova",)),
        ("Did India and Pakistan agree a ceasefire?", None),
        ("Is Morocco's economy growing?", None),
    ],
)
def test_parties_outside_is_either_rule(question: str, expected: tuple[str, ...] | None) -> None:
    assert parties_outside(question, REPORTED) == expected
    unheld = unheld_party(question, REPORTED)
    assert expected == (parties_apart(question, REPORTED) or ((unheld,) if unheld else None))
    assert parties_outside(question, ()) is None
