"""Tell whether an ordinal ("first", "третій", "последний") says which meeting of a series.

"At the third round" or "на першій зустрічі" names one meeting of the talks; "Moscow's first
response" names no meeting at all, and "перший етап обміну полоненими" names the first stage of
an exchange the question does not name (several exchanges had stages). An ordinal, or
"last"/"next", therefore says which talks only when it qualifies a word for an event within a
few words after it, and not when that event is a part (a stage, a day) of an exchange or a
meeting left unnamed.
"""

from __future__ import annotations

import re

from bot.conversation.wording import words as split_words

# Words that order a series. "next" is only read before a meeting ("the next round"): "the next
# day" is a time told from one said before (bot/conversation/followups.py).
_ORDER = re.compile(
    r"first|second|third|fourth|fifth|last|final|initial|1st|2nd|3rd|4th|5th|"
    r"перш\w*|друг(?:ий|ого|ому|ім|ій|а|у|е|ої|их)|трет\w*|четверт\w*|п['’]ят\w*|останн\w*|"
    r"заключн\w*|перв\w*|втор\w*|пят(?:ый|ого|ом|ой|ая|ое|ую)|последн\w*|финальн\w*",
    re.IGNORECASE,
)
_NEXT = re.compile(r"next|наступн\w*|следующ\w*", re.IGNORECASE)
# A meeting, or a series of them: what an ordinal before it picks one of.
_MEETING = re.compile(
    r"rounds?|sessions?|talks|meetings?|summits?|negotiations|calls?|conferences?|"
    r"раунд\w*|тур[іуаеи]?|сесі\w*|переговор\w*|зустріч\w*|саміт\w*|розмов\w*|"
    r"сесси\w*|встреч\w*|саммит\w*|разговор\w*",
    re.IGNORECASE,
)
# An exchange is an event of its own ("the first exchange"), with stages and days of its own.
_EXCHANGE = re.compile(r"exchanges?|swaps?|обмін\w*|обмен\w*", re.IGNORECASE)
# A part of one event: an ordinal before it picks a part, not the event.
_PART = re.compile(
    r"stages?|phases?|days?|етап\w*|фаз\w*|день|дня|дні|этап\w*|дн[яеи]", re.IGNORECASE
)
# Words for the talks as a whole: "the second day of the talks" is a day of the talks named.
_TALKS = re.compile(r"talks|negotiations|переговор\w*", re.IGNORECASE)
# How many words after an ordinal its event may stand ("the first direct peace talks").
_REACH = 3
# How many words after a part its event may stand ("the first stage of the prisoner exchange").
_PART_REACH = 4


def _part_of(rest: list[str]) -> str:
    """Return whether the words after a part leave its event unnamed.

    "the first stage of the prisoner exchange" does; "of the talks" names them, and so does a
    number or a name just before or after the event's word ("the 1000-for-1000 exchange", "the
    Istanbul swap", "обміну «1000 на 1000»").
    """
    for index, word in enumerate(rest):
        if _MEETING.fullmatch(word) or _EXCHANGE.fullmatch(word):
            named = any(_names(other) for other in [*rest[:index], *rest[index + 1 : index + 2]])
            return "meeting" if named or _TALKS.fullmatch(word) else "part of unnamed"
    return "meeting"


def _names(word: str) -> bool:
    return word[:1].isupper() or any(character.isdigit() for character in word)


def _qualified(words: list[str], position: int) -> str | None:
    """Return what the ordinal at `position` qualifies: "meeting", "part of unnamed", or None."""
    ahead = words[position + 1 : position + 1 + _REACH]
    for offset, word in enumerate(ahead):
        if _MEETING.fullmatch(word) or _EXCHANGE.fullmatch(word):
            return "meeting"
        if _PART.fullmatch(word):
            rest = words[position + 2 + offset : position + 2 + offset + _PART_REACH]
            return _part_of(rest)
    return None


def _qualifications(question: str) -> list[str]:
    words = split_words(question)
    found = []
    for position, word in enumerate(words):
        if _ORDER.fullmatch(word):
            what = _qualified(words, position)
        elif _NEXT.fullmatch(word):
            ahead = words[position + 1 : position + 1 + _REACH]
            what = "meeting" if any(_MEETING.fullmatch(w) for w in ahead) else None
        else:
            continue
        if what is not None:
            found.append(what)
    return found


def orders_a_meeting(question: str) -> bool:
    """Return whether an ordinal or "next" picks a meeting ("the third round", "перший день")."""
    return "meeting" in _qualifications(question)


def orders_a_part_of_an_unnamed_event(question: str) -> bool:
    """Return whether an ordinal picks a stage or day of an exchange or meeting left unnamed."""
    found = _qualifications(question)
    return "part of unnamed" in found and "meeting" not in found
