"""The party gazetteer: the world's states, English whole words, stems no ordinary word begins."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from index.keyword import APOSTROPHE
from index.parties import Gazetteer, Party, default_gazetteer

ROOT = Path(__file__).resolve().parent.parent
# Ordinary Ukrainian and Russian words that begin like a state's name: the stems were chosen
# (or made whole words with "$") so that none of these is read as a party. ("манила", "lured",
# is also Manila in Russian, and "омана", "delusion", Oman's genitive: those forms are left out.)
_ORDINARY_WORDS = (
    "мали малі малина маленький цар царя пар пара партнер парламент куби кубі кубу кубань "
    "гавань гавані відносини відносно віднімати дані даних данні самоаналіз "
    "гренадер гамбіт ліберал либерал прагнути прагматичний прагматичный котрий который "
    "которые санкції санкций сентябре сентября оманливий омана тиран того тоді чад чадний "
    "перука болів лівій лівої вена вени рима риму ганебний кенігсберг кенигсберг "
    "вірний манила манили литий ірис астра шведа швець далі данина "
    "рада совет белый білого північний северный західний западный південний южный"
)
ORDINARY = _ORDINARY_WORDS.split()
# Names the question sets write in lower case ("варшава", "канаде"); every other word that
# the libraries write only in lower case and the gazetteer reads must be an adjective or a
# demonym of its party.
_DERIVED = re.compile(r"(ськ|цьк|зьк|ск|цк|ц[іяеыа]|цев|ців|ян|мовн)")
_CYRILLIC = re.compile(r"[а-яёіїєґ]+(?:[ʼ’'][а-яёіїєґ]+)*", re.IGNORECASE)
_SPENT = {"mixed-01", "mixed-03", "mixed-05", "mixed-06"}


def _parties(text: str) -> set[str]:
    return set(default_gazetteer().count(text))


def test_every_un_member_state_and_the_parties_beside_them_are_listed() -> None:
    parties = default_gazetteer().parties
    assert len(parties) >= 193 + 10
    for party_id in (
        "philippines",
        "mauritius",
        "morocco",
        "moldova",
        "western-sahara",
        "transnistria",
        "african-union",
        "asean",
        "kosovo",
        "taiwan",
    ):
        assert party_id in parties


def test_states_are_read_in_english_ukrainian_and_russian() -> None:
    assert _parties("Manila and Beijing held talks") == {"philippines", "china"}
    assert _parties("Переговори Філіппін і Китаю") == {"philippines", "china"}
    assert _parties("Марокко и Полисарио договорились") == {"morocco", "western-sahara"}
    assert _parties("Молдова і Придністровʼя") == {"moldova", "transnistria"}
    assert _parties("Маврикий и Великобритания") == {"mauritius", "united-kingdom"}
    assert _parties("Чи підписали Куба та Малі угоду?") == {"cuba"}


def test_english_forms_are_whole_words_with_their_capitals() -> None:
    # Georgia is read from its capital and adjective only: "Georgia" is also a US state.
    assert _parties("Atlanta, Georgia") == set()
    assert _parties("talks in Tbilisi") == {"georgia"}
    assert _parties("a roast turkey for dinner") == set()
    assert _parties("Turkey hosted the talks") == {"turkey"}
    # The longest form wins, so a state named inside another's name is not counted too.
    assert _parties("the Democratic Republic of the Congo") == {"dr-congo"}
    assert _parties("Guinea-Bissau and Papua New Guinea") == {"guinea-bissau", "papua-new-guinea"}
    assert _parties("the Dominican Republic") == {"dominican-republic"}
    assert _parties("Nigeria, not Niger") == {"nigeria", "niger"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("South Sudan and Sudan", {"south-sudan": 1, "sudan": 1}),
        ("Південний Судан і Судан", {"south-sudan": 1, "sudan": 1}),
        ("Южного Судана и Судана", {"south-sudan": 1, "sudan": 1}),
        ("North Korea, South Korea", {"north-korea": 1, "south-korea": 1}),
        ("Північна Корея, Південна Корея", {"north-korea": 1, "south-korea": 1}),
        ("Северная Корея, Южная Корея", {"north-korea": 1, "south-korea": 1}),
        ("Guinea, Equatorial Guinea", {"guinea": 1, "equatorial-guinea": 1}),
        ("Гвінея, Екваторіальна Гвінея", {"guinea": 1, "equatorial-guinea": 1}),
        ("Гвинея, Экваториальная Гвинея", {"guinea": 1, "equatorial-guinea": 1}),
        ("Guinea-Bissau and Papua New Guinea", {"guinea-bissau": 1, "papua-new-guinea": 1}),
        ("Гвінея-Бісау і Папуа Нова Гвінея", {"guinea-bissau": 1, "papua-new-guinea": 1}),
        ("Гвинеи-Бисау и Папуа — Новой Гвинеи", {"guinea-bissau": 1, "papua-new-guinea": 1}),
        ("the Republic of the Congo", {"congo-brazzaville": 1}),
        ("Республіка Конго і ДР Конго", {"congo-brazzaville": 1, "dr-congo": 1}),
        ("Демократическая Республика Конго", {"dr-congo": 1}),
        ("Northern Cyprus and Cyprus", {"northern-cyprus": 1, "cyprus": 1}),
        ("Північний Кіпр", {"northern-cyprus": 1}),
        ("Северного Кипра", {"northern-cyprus": 1}),
        ("Niger and Nigeria", {"niger": 1, "nigeria": 1}),
        ("Нігер і Нігерія", {"niger": 1, "nigeria": 1}),
        ("Нигер и Нигерия", {"niger": 1, "nigeria": 1}),
        ("Dominica and the Dominican Republic", {"dominica": 1, "dominican-republic": 1}),
        ("Домініка і Домініканська Республіка", {"dominica": 1, "dominican-republic": 1}),
        ("Доминика и Доминиканская Республика", {"dominica": 1, "dominican-republic": 1}),
    ],
)
def test_a_longer_name_wins_over_the_name_inside_it(text: str, expected: dict[str, int]) -> None:
    # The words of the longer name are not read again, so the state inside it is not counted.
    assert default_gazetteer().count(text) == Counter(expected)


def test_the_longest_stem_sequence_wins_whatever_the_order_of_the_rows() -> None:
    sudan = Party("sudan", {"en": "Sudan"}, (), (("судан",),))
    south = Party("south-sudan", {"en": "South Sudan"}, (), (("південн", "судан"),))
    gazetteer = Gazetteer([sudan, south])
    mentions = gazetteer.mentions("у Південному Судані")
    assert [(m.start, m.end, m.party_id) for m in mentions] == [(2, 19, "south-sudan")]


def test_a_whole_word_stem_matches_only_the_whole_word() -> None:
    gazetteer = Gazetteer([Party("cuba", {"en": "Cuba"}, (), (("куба$",), ("кубинськ",)))])
    assert gazetteer.count("Куба і кубинські товари") == Counter({"cuba": 2})
    assert not gazetteer.count("Кубань")


def test_no_stem_begins_an_ordinary_word() -> None:
    assert {word: _parties(word) for word in ORDINARY if _parties(word)} == {}


def test_the_words_the_libraries_write_in_lower_case_are_no_names_but_adjectives() -> None:
    texts = [path.read_text(encoding="utf-8") for path in (ROOT / "data").rglob("*.md")]
    for path in (ROOT / "bench" / "questions").glob("*.jsonl"):
        if path.stem not in _SPENT:
            lines = path.read_text(encoding="utf-8").splitlines()
            texts += [json.loads(line)["question"] for line in lines if line]
    written = {APOSTROPHE.sub("", m.group()) for text in texts for m in _CYRILLIC.finditer(text)}
    capitalised = {word.lower() for word in written if not word.islower()}
    lower_only = {word for word in written if word.islower()} - capitalised
    read = {word for word in lower_only if _parties(word)}
    assert len(lower_only) > 1000
    assert {word for word in read if not _DERIVED.search(word)} <= {"варшава", "канаде", "судане"}
