"""Tell whether a question says WHICH talks it is about, or only names the sides.

"Who led the Russian side?" could be asked of any meeting: Russia and Ukraine sat at most of
them. "Who led the Russian side in Istanbul on 16 May?" names a place and a date, and "at the
third round" an ordinal; those anchor the question to one meeting. A short question that only
names sides leans on the conversation when there is one, and alone is asked which talks it means.
"""

from __future__ import annotations

import re

from bot.answers.questions import is_status_question, named_period, ordinals_in

# A question this short that only names sides says nothing of which talks it means.
SHORT_QUESTION_WORDS = 5

# The sides and their leaders and capitals, in the forms questions use: they sit at most of the
# talks, so naming them does not say which. Matched as word beginnings, case-folded.
_SIDE_STEMS = (
    # English
    "russia",
    "ukrain",
    "america",
    "us",
    "u.s",
    "usa",
    "united",
    "states",
    "washington",
    "kremlin",
    "moscow",
    "kyiv",
    "kiev",
    "putin",
    "zelensk",
    "trump",
    "european",
    "europe",
    # Ukrainian
    "росі",
    "російськ",
    "україн",
    "українськ",
    "сша",
    "америк",
    "вашингтон",
    "кремл",
    "москв",
    "київ",
    "києв",
    "путін",
    "зеленськ",
    "трамп",
    "європ",
    # Russian
    "росси",
    "российск",
    "украин",
    "украинск",
    "вашингтон",
    "кремл",
    "москв",
    "киев",
    "путин",
    "зеленск",
    "европ",
)
# Side words matched whole: "us" as a stem would take "used".
_SIDE_WHOLE = frozenset(["us", "u.s", "usa", "united", "states"])

# Places the talks were held, lower-case forms included ("в стамбуле"); any other capitalised
# name inside a question anchors it too.
_PLACE_STEMS = (
    "istanbul",
    "riyadh",
    "jeddah",
    "geneva",
    "alaska",
    "anchorage",
    "diriyah",
    "ankara",
    "стамбул",
    "ер-рія",
    "ер-ріяд",
    "джидд",
    "женев",
    "аляск",
    "анкоридж",
    "анкара",
    "эр-рияд",
    "джидд",
    "женев",
    "аляск",
    "анкоридж",
)

# Words that say which meeting of a series: round, stage, session, first/last…
_SERIES = re.compile(
    r"(?<!\w)(round|rounds|session|stage|first|last|final|initial|"
    r"раунд\w*|тур[іуаеи]?|етап\w*|сесі\w*|перш\w*|останн\w*|"
    r"этап\w*|сесси\w*|перв\w*|последн\w*)(?!\w)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)

# A question about a meeting or its sides, rather than a term ("what is a ceasefire?").
_ABOUT_TALKS = re.compile(
    r"(?<!\w)(talks|meeting|meetings|delegation|delegations|side|sides|team|teams|negotiator\w*|"
    r"summit|call|"
    r"переговор\w*|зустріч\w*|делегаці\w*|сторон\w*|команд\w*|саміт\w*|розмов\w*|"
    r"встреч\w*|делегаци\w*|саммит\w*|разговор\w*)(?!\w)",
    re.IGNORECASE,
)


def words(question: str) -> list[str]:
    """Return the words and numbers of a text ("U.S." and "Ер-Ріяд" are one word each)."""
    return _WORD.findall(question)


def is_side(word: str) -> bool:
    """Return whether a word names one of the sides (a country, its leader or its capital)."""
    folded = word.casefold()
    if folded in _SIDE_WHOLE:
        return True
    return any(folded.startswith(stem) for stem in _SIDE_STEMS if stem not in _SIDE_WHOLE)


def _is_place(word: str) -> bool:
    folded = word.casefold()
    return any(folded.startswith(stem) for stem in _PLACE_STEMS)


def names_which_talks(question: str) -> bool:
    """Return whether the question says which talks it means.

    A number or date, a month, an ordinal or "round"/"раунд"/"тур", a place of talks, or a
    capitalised name other than the sides' anchors it; the sides alone do not.
    """
    if _DIGIT.search(question) or named_period(question, None) is not None or ordinals_in(question):
        return True
    if _SERIES.search(question):
        return True
    for position, word in enumerate(words(question)):
        if _is_place(word):
            return True
        # The first word is capitalised as the sentence's start, not as a name.
        if position > 0 and word[:1].isupper() and not is_side(word):
            return True
    return False


def names_a_side(question: str) -> bool:
    """Return whether the question names any of the sides."""
    return any(is_side(word) for word in words(question))


def is_short_unanchored(question: str) -> bool:
    """Return whether a question is short and does not say which talks it means."""
    return len(words(question)) <= SHORT_QUESTION_WORDS and not names_which_talks(question)


def asks_which_talks(question: str) -> bool:
    """Return whether a question asked alone must first be told which talks it is about.

    "who led the Russian side?" or "скільки тривала зустріч?" would be answered from whichever
    meeting matches best; "what is a ceasefire?" is about no meeting, and "what's the latest?"
    about all of them.
    """
    if is_status_question(question) or not is_short_unanchored(question):
        return False
    return names_a_side(question) or bool(_ABOUT_TALKS.search(question))
