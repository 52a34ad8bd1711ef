"""Read a question: its language, whether it asks about now, the fact and period it wants."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from bot import i18n
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.normalize import detect_language

_STATUS = re.compile(
    r"\b(latest|status|stand|standing|current|currently|now|so far|recent|update|news|progress|"
    r"where are|state of)\b|останн|зараз|наразі|статус|стан справ|новин|последн|сейчас|"
    r"на данный момент|текущ|новост|що нового|что нового",
    re.IGNORECASE,
)
_LAST_OF_SERIES = re.compile(r"останн|последн", re.IGNORECASE)
# "в останній день", "последний этап": the last day or stage of one event, not the latest news
# ("остання зустріч", "последний обмен" still ask for the latest).
_LAST_PART = re.compile(r"(останн|последн)\w*\s+(дн|день|етап|этап)", re.I)
_NUMBER = re.compile(r"\d[\d,.\u00a0 ]*\d|\d")
# Month names and their inflected forms. English "May" is capitalised: "may" is a verb.
_MONTH_FORMS = (
    (1, r"january|jan\.|січ(ень|ня|ні)|январ(ь|я|е)"),
    (2, r"february|feb\.|лют(ий|ого|ому)|феврал(ь|я|е)"),
    (3, r"march|берез(ень|ня|ні)|март(а|е)?"),
    (4, r"april|apr\.|квіт(ень|ня|ні)|апрел(ь|я|е)"),
    # Lower-case "may" is the month only beside a day: "may 16", "16 may".
    (5, r"(?-i:May)|may(?=\s+\d{1,2}(?!\d))|(?<=\d\s)may|трав(ень|ня|ні)|ма(й|я|е)"),
    (6, r"june|черв(ень|ня|ні)|июн(ь|я|е)"),
    (7, r"july|лип(ень|ня|ні)|июл(ь|я|е)"),
    (8, r"august|aug\.|серп(ень|ня|ні)|август(а|е)?"),
    (9, r"september|sept?\.|верес(ень|ня|ні)|сентябр(ь|я|е)"),
    (10, r"october|oct\.|жовт(ень|ня|ні)|октябр(ь|я|е)"),
    (11, r"november|nov\.|листопад(а|і)?|ноябр(ь|я|е)"),
    (12, r"december|dec\.|груд(ень|ня|ні)|декабр(ь|я|е)"),
)


def _whole_words(forms: str) -> re.Pattern[str]:
    """Compile alternatives that must match whole words, in any case."""
    return re.compile(rf"(?<!\w)({forms})(?!\w)", re.I)


_MONTHS = [(number, _whole_words(forms)) for number, forms in _MONTH_FORMS]
# "16 May", "16-го мая", "May 16th": the day sits right beside the month's name.
_DAYS_BEFORE_MONTH = re.compile(
    r"(?<![\d.,])(?:(?P<first>\d{1,2})\s*[–—-]\s*)?(?P<last>\d{1,2})(-?(го|е|ого|th|st|nd|rd))?\s*$",
    re.I,
)
_DAY_AFTER_MONTH = re.compile(r"\s*(\d{1,2})(?!\d)(st|nd|rd|th)?\b", re.I)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_ANY_MONTH = "|".join(forms for _, forms in _MONTH_FORMS)
_MONTH_NAME = _whole_words(_ANY_MONTH)
# Dates and years are numbers too, but never the answer to "how many".
_DATE_OR_YEAR = re.compile(
    rf"\b\d{{1,2}}\s+({_ANY_MONTH})(?!\w)|(?<!\w)({_ANY_MONTH})\s+\d{{1,2}}\b|\b(19|20)\d\d\b",
    re.I,
)


# Ordinals name rounds of talks and days of an exchange; keywords cannot match them across
# languages ("second day" / "другого дня" / "второй день"), so they are read as numbers.
_ORDINAL_FORMS = (
    # "first" is left out: "the first time", "first direct talks" are not rounds or days.
    (2, r"second|2nd|друг(ий|ого|ому|ому|ій|а|у|е)|втор\w*"),
    (3, r"third|3rd|трет\w*"),
    (4, r"fourth|4th|четверт\w*"),
    (5, r"fifth|5th|п'ят(ий|ого|ому|ій|а|е)|пят(ый|ого|ом|ой|ая|ое)"),
)
_ORDINALS = [(number, _whole_words(forms)) for number, forms in _ORDINAL_FORMS]


def ordinals_in(text: str) -> set[int]:
    """Return the ordinal numbers a text names: "second round" and "второй раунд" give {2}."""
    return {number for number, pattern in _ORDINALS if pattern.search(text)}


def ordinal_agreement(wanted: set[int], sentence: str) -> int:
    """Return 1 if a sentence names an ordinal in `wanted`, -1 if it names only others, else 0.

    `wanted` is `ordinals_in(question)`, read once per question rather than once per sentence;
    "the third day" is then no answer about the second.
    """
    if not wanted:
        return 0
    named = ordinals_in(sentence)
    if named & wanted:
        return 1
    return -1 if named else 0


def is_status_question(question: str) -> bool:
    """Return whether the question asks where things stand now rather than about one event.

    "Останній" and "последний" mean "latest" but also "last of a series": "the last, third day of
    the swap" names an ordinal and asks about one event, and so does "а в останній день?" or
    "последний этап" (the last day or stage of a meeting).
    """
    cues = [match.group(0) for match in _STATUS.finditer(question)]
    if not cues:
        return False
    if not all(_LAST_OF_SERIES.match(cue) for cue in cues):
        return True
    return not (ordinals_in(question) or _LAST_PART.search(question))


def question_language(question: str, hint: str | None) -> str:
    """Pick en/uk/ru for a question: the text's own language, else the user's interface language."""
    if not any(character.isalpha() for character in question):
        return i18n.pick_language(hint)
    detected = detect_language(question)
    if detected in i18n.SUPPORTED:
        return detected
    return i18n.pick_language(hint)


def names_a_month(text: str) -> bool:
    """Return whether the text names a month, in any of the three languages."""
    return bool(_MONTH_NAME.search(text))


def without_dates(text: str) -> str:
    """Return the text with its dates and years blanked: they are numbers, but not counts."""
    return _DATE_OR_YEAR.sub(" ", text)


def numbers_in(text: str) -> set[str]:
    """Return the numbers in a text with separators dropped: '6,000' and '6000' are one."""
    return {re.sub(r"[,.\u00a0 ]", "", match) for match in _NUMBER.findall(text)}


# "since 2022" and "before 2025" name one end of an open span, not the time asked about.
_SINCE = re.compile(r"(?<!\w)(since|from|after|з|із|зі|від|після|с|со|после|начиная с)\s+$", re.I)
_BEFORE = re.compile(r"(?<!\w)(before|until|till|до|перед)\s+$", re.I)


def years_named(text: str) -> list[tuple[int, str]]:
    """Return each year (1900-2099) the text names, with "since", "before" or "in" for its use."""
    named = []
    for match in _YEAR.finditer(text):
        before = text[: match.start()]
        use = "since" if _SINCE.search(before) else "before" if _BEFORE.search(before) else "in"
        named.append((int(match.group()), use))
    return named


def outside_coverage(
    question: str,
    period: tuple[date, date] | None,
    oldest: date | None,
    newest: date | None,
    *,
    asks_about_now: bool = False,
) -> bool:
    """Return whether the question asks only about times the library has no reports from.

    `period` is `named_period(question, newest)`; the library spans `oldest` to `newest`.
    "What did the Minsk agreements of 2015 say?" and "talks in March 2027" are outside a library
    of 2025 reports; "the first talks since 2022" is not. A question that `asks_about_now`
    ("the war began in 2022; where do the talks stand now?") names earlier years as background,
    so only later ones count against it.
    """
    if oldest is None or newest is None:
        return False
    if asks_about_now:
        oldest = date.min
    if period is not None:
        return period[1] < oldest or period[0] > newest
    years = years_named(question)
    if not years:
        return False
    return not any(
        (use == "since" and year <= newest.year)
        or (use == "before" and year >= oldest.year)
        or (use == "in" and oldest.year <= year <= newest.year)
        for year, use in years
    )


def named_period(
    question: str, newest: date | None, tuning: AnswerTuning = ANSWER_TUNING
) -> tuple[date, date] | None:
    """Return the first and last publication dates for a month or day the question names.

    "in July 2025" gives July 2025; a month without a year means its latest occurrence up to the
    newest report in the library. "the May 16 talks" or "23 травня" narrow it to that day.
    Reports up to `tuning.period_grace_days` after the month or day still count.
    """
    found = [
        (match.start(), number, match)
        for number, pattern in _MONTHS
        for match in pattern.finditer(question)
    ]
    if not found:
        return None
    _, month, match = min(found, key=lambda item: item[0])
    years = [year for year, use in years_named(question) if use == "in"]
    if years:
        year = years[0]
    else:
        latest = newest or date.today()
        year = latest.year if month <= latest.month else latest.year - 1
    days_in_month = calendar.monthrange(year, month)[1]
    first_day, last_day = _days_beside(question, match) or (1, days_in_month)
    last_day = min(last_day, days_in_month)
    return (
        date(year, month, min(first_day, last_day)),
        date(year, month, last_day) + timedelta(days=tuning.period_grace_days),
    )


def _days_beside(question: str, month: re.Match[str]) -> tuple[int, int] | None:
    """Return the days beside a month's name: (16, 16) for "May 16", (8, 10) for "8–10 мая"."""
    before = _DAYS_BEFORE_MONTH.search(question[: month.start()])
    if before:
        last = int(before.group("last"))
        first = int(before.group("first") or last)
    else:
        after = _DAY_AFTER_MONTH.match(question[month.end() :])
        if not after:
            return None
        first = last = int(after.group(1))
    return (first, last) if 1 <= first <= last <= 31 else None
