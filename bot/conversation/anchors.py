"""Tell whether a question says WHICH talks it is about, or only names the sides.

"Who led the Russian side?" could be asked of any meeting: Russia and Ukraine sat at most of
them. "Who led the Russian side in Istanbul on 16 May?" names a place and a date, and "at the
third round" an ordinal; those anchor the question to one meeting. A short question that only
names sides leans on the conversation when there is one, and alone is asked which talks it means.
"""

from __future__ import annotations

import re

from bot.answers.questions import is_status_question, named_period, ordinals_in
from bot.answers.tuning import CONVERSATION_TUNING
from bot.profile import active_profile
from index.parties import default_gazetteer

# The sides are the parties the gazetteer (index/parties.py) knows, with their capitals and
# adjectives: they sit at most of the talks, so naming them does not say which. The deployment
# profile names the capitals that were places of its talks ("talk_places": Riyadh), which then
# say which talks. A leader's name anchors like any other name: on the development dialogues that
# cost nothing with the conversation, and alone such questions were answered from the right report.

# Words that say which meeting of a series: round, stage, session, first/last…
_SERIES = re.compile(
    r"(?<!\w)(round|rounds|session|stage|first|last|final|initial|"
    r"раунд\w*|тур[іуаеи]?|етап\w*|сесі\w*|перш\w*|останн\w*|"
    r"этап\w*|сесси\w*|перв\w*|последн\w*)(?!\w)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)
# The first letter of each word, to read "russia" or "united states" as the gazetteer's forms.
_WORD_START = re.compile(r"(?<![\w.'’-])\w")

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


def _side_spans(question: str) -> list[tuple[int, int]]:
    """Return where the question names a side, in its own capitals or with each word's first."""
    gazetteer = default_gazetteer()
    found = [(m.start, m.end) for m in gazetteer.mentions(question)]
    capitalised = _WORD_START.sub(lambda match: match.group().upper(), question)
    if len(capitalised) == len(question):
        found += [(m.start, m.end) for m in gazetteer.mentions(capitalised)]
    return found


def _side_words(question: str) -> list[tuple[str, bool]]:
    """Return each word of the question and whether it names a side."""
    spans = _side_spans(question)
    profile = active_profile()
    result = []
    for match in _WORD.finditer(question):
        folded = match.group().casefold()
        named = any(start < match.end() and match.start() < end for start, end in spans)
        if any(folded.startswith(place) for place in profile.talk_places):
            named = False
        result.append((match.group(), named))
    return result


def is_side(word: str) -> bool:
    """Return whether a word names one of the sides (a party or its capital)."""
    return any(side for _, side in _side_words(word))


def names_which_talks(question: str) -> bool:
    """Return whether the question says which talks it means.

    A number or date, a month, an ordinal or "round"/"раунд"/"тур", or a capitalised name other
    than the sides' (a place, a person, an event) anchors it; the sides alone do not.
    """
    if _DIGIT.search(question) or named_period(question, None) is not None or ordinals_in(question):
        return True
    if _SERIES.search(question):
        return True
    for position, (word, side) in enumerate(_side_words(question)):
        # The first word is capitalised as the sentence's start, not as a name.
        if position > 0 and word[:1].isupper() and not side:
            return True
    return False


def names_a_side(question: str) -> bool:
    """Return whether the question names any of the sides."""
    return any(side for _, side in _side_words(question))


def is_short_unanchored(question: str) -> bool:
    """Return whether a question is short and does not say which talks it means."""
    short = len(words(question)) <= CONVERSATION_TUNING.short_question_words
    return short and not names_which_talks(question)


def asks_which_talks(question: str) -> bool:
    """Return whether a question asked alone must first be told which talks it is about.

    "who led the Russian side?" or "скільки тривала зустріч?" would be answered from whichever
    meeting matches best; "what is a ceasefire?" is about no meeting, and "what's the latest?"
    about all of them.
    """
    if is_status_question(question) or not is_short_unanchored(question):
        return False
    return names_a_side(question) or bool(_ABOUT_TALKS.search(question))
