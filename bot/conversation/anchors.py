"""Tell whether a question says WHICH talks it is about, or only names the sides.

"Who led the Russian side?" could be asked of any meeting: Russia and Ukraine sat at most of
them. "Who led the Russian side in Istanbul on 16 May?" names a place and a date, and "at the
third round" an ordinal; those anchor the question to one meeting. A short question that only
names sides leans on the conversation when there is one, and alone is asked which talks it means.
"""

from __future__ import annotations

import re

from bot.answers.questions import is_status_question, named_period
from bot.answers.tuning import CONVERSATION_TUNING
from bot.conversation.series import orders_a_meeting, orders_a_part_of_an_unnamed_event
from bot.conversation.wording import word_spans, words
from bot.profile import active_profile
from index.parties import default_gazetteer

# The sides are the parties the gazetteer (index/parties.py) knows, with their capitals and
# adjectives: they sit at most of the talks, so naming them does not say which. The deployment
# profile names the capitals that were places of its talks ("talk_places": Riyadh), which then
# say which talks. A person's name does not say which talks either ("what did Zelensky say?":
# leaders spoke after most meetings); a name says which when it stands where a place or an event
# does: after "in"/"at"/"у"/"в"/"на" ("in Istanbul", "на Алясці") or before a word for talks or
# a document ("the Alaska summit", "the Geneva peace framework").

# Words for one meeting of a series: round, session (an ordinal before a word for an event says
# which one too: bot/conversation/series.py). A stage or a day is a part of some event, which
# it does not name.
_SERIES = re.compile(
    r"(?<!\w)(round|rounds|session|раунд\w*|тур[іуаеи]?|сесі\w*|сесси\w*)(?!\w)",
    re.IGNORECASE,
)
# Words before a name that make it a place (or, "after Geneva", the talks held there).
_PLACE_WORD = re.compile(
    r"in|at|on|near|outside|after|у|в|во|на|під|біля|поблизу|після|под|около|близ|после",
    re.IGNORECASE,
)
# Words a name is skipped over to reach the place word ("in the Black Sea").
_ARTICLES = frozenset(["the", "a", "an"])
# Words after a name (within `_EVENT_REACH` words) that make it an event's or a document's name.
_EVENT = re.compile(
    r"(talks|meeting|meetings|summit|round|session|format|framework|plan|memorandum|agreement|"
    r"agreements|accord|accords|deal|declaration|process|truce|ceasefire|negotiations|"
    r"conference|communiqu[eé])",
    re.IGNORECASE,
)
_EVENT_REACH = 2
# A month's adjective ("на липневих переговорах", "июльские") says when, as the month does.
_MONTH_ADJECTIVE = re.compile(
    r"(?<!\w)(січнев|лютнев|березнев|квітнев|травнев|червнев|липнев|серпнев|вереснев|жовтнев|"
    r"листопадов|груднев|январск|февральск|мартовск|апрельск|майск|июньск|июльск|августовск|"
    r"сентябрьск|октябрьск|ноябрьск|декабрьск)\w*",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# "Article 5" (of a treaty) is a number that names no meeting.
_TREATY_ARTICLE = re.compile(r"(?<!\w)(?:article|статт\w*|стать\w*)\s+\d+", re.IGNORECASE)
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
# What a meeting settled: "was anything said about prisoners?" or "що вирішили щодо полонених?"
# asks what was said or agreed somewhere, and naming no one and nowhere, leaves where unsaid.
_SAID_OR_AGREED = re.compile(
    r"(?<!\w)(said|say|says|agreed|agree|decided|decide|discussed|discuss|settled|"
    r"сказа\w*|говорил\w*|домовил\w*|домовлен\w*|погодил\w*|вирішил\w*|вирішен\w*|"
    r"обговорю\w*|обговори\w*|обговорен\w*|[ій]шлося|"
    r"договорил\w*|договорен\w*|согласовал\w*|согласован\w*|решил\w*|решен\w*|"
    r"обсужда\w*|обсуди\w*|обсужден\w*|шла речь)(?!\w)",
    re.IGNORECASE,
)


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
    for match in word_spans(question):
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

    A number or date (not a treaty's article: "Article 5"), a month (or its adjective:
    "липневих"), an ordinal or "round"/"раунд"/"тур", or a capitalised name other than the
    sides' where a place or an event stands ("in Istanbul", "the Alaska summit") anchors it; the
    sides and the people who speak for them ("what did Zelensky say?") do not.
    """
    if _DIGIT.search(_TREATY_ARTICLE.sub(" ", question)) or named_period(question, None):
        return True
    if _SERIES.search(question) or orders_a_meeting(question) or _MONTH_ADJECTIVE.search(question):
        return True
    found = _side_words(question)
    for position, (word, side) in enumerate(found):
        # The first word is capitalised as the sentence's start, not as a name.
        if position > 0 and word[:1].isupper() and not side and _place_or_event(found, position):
            return True
    return False


def _is_name(found: list[tuple[str, bool]], position: int) -> bool:
    return position > 0 and found[position][0][:1].isupper()


def _place_or_event(found: list[tuple[str, bool]], position: int) -> bool:
    """Return whether the name at `position` stands where a place or an event's name does."""
    folded = found[position][0].casefold()
    if any(folded.startswith(place) for place in active_profile().talk_places):
        return True
    start = position
    while _is_name(found, start - 1):
        start -= 1
    before = start - 1
    while before >= 0 and found[before][0].casefold() in _ARTICLES:
        before -= 1
    if before >= 0 and _PLACE_WORD.fullmatch(found[before][0]):
        return True
    end = position
    while end + 1 < len(found) and _is_name(found, end + 1):
        end += 1
    after = found[end + 1 : end + 1 + _EVENT_REACH]
    return any(_EVENT.fullmatch(word) for word, _ in after)


def names_a_person(question: str) -> bool:
    """Return whether the question names someone (a name that is no side, place or event)."""
    found = _side_words(question)
    return any(
        _is_name(found, position) and not side and not _place_or_event(found, position)
        for position, (_, side) in enumerate(found)
    )


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
    if is_status_question(question):
        return False
    # "the first stage of the prisoner exchange": several exchanges had a first stage.
    if orders_a_part_of_an_unnamed_event(question) and not names_which_talks(question):
        return True
    if not is_short_unanchored(question):
        return False
    if names_a_side(question) or _ABOUT_TALKS.search(question):
        return True
    return bool(_SAID_OR_AGREED.search(question)) and not _names_anyone(question)


def _names_anyone(question: str) -> bool:
    """Return whether the question has a name in it (past its first word): a person or a place."""
    return any(position > 0 and word[:1].isupper() for position, word in enumerate(words(question)))
