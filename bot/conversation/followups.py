"""Tell a follow-up ("and the bodies?", "а скільки тривала?") from a question that stands alone."""

from __future__ import annotations

import re

from bot.answers.questions import is_status_question
from bot.answers.tuning import CONVERSATION_TUNING
from bot.conversation.anchors import (
    is_short_unanchored,
    is_side,
    names_a_person,
    names_a_side,
    names_which_talks,
)
from bot.conversation.series import orders_a_part_of_an_unnamed_event
from bot.conversation.wording import words

# Words that open an elliptical follow-up: "and …?", "what about …?", "а …?", "и …?".
_LEADS = re.compile(
    r"^\s*(?:and|also|then|so|what about|how about|а|і|й|та|и|ну а|а як щодо|а що з|а что с|"
    r"а как насч[её]т|що з|что с|як щодо|как насч[её]т)\b",
    re.IGNORECASE,
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that point back at something said before: it, that, they, there, then; це, там, тоді…
_REFERRING = _word_set(
    """it its that those they them their there then he she him his her
    це цього цьому цей ця ці цих той тієї того ті тих там тоді він вона воно вони його її їх їхній
    їхня їхні ним нею ними туди звідти такий така таке
    это этого этом этому этот эта эти этих тот той того те тех там тогда он она оно они его её ее
    их ним ней ними туда оттуда такой такая такое"""
)
# Words that carry no subject of their own: question words (with their inflected forms: "яку",
# "какую", "о чём"), auxiliaries, articles, prepositions.
_EMPTY = _REFERRING | _word_set(
    """this these a an the and or but also then so what which who whom whose when where why how
    is are was were be been being do does did done has have had will would can could should
    might must shall of to in on at for from with about by as into over after before
    during between without under against among within than
    any some much many exactly really actually else still yet again happen happened
    а і й та чи що хто кого кому ким чого чим коли де чому навіщо як який яка яке які якого яку
    якої якій якому яким якою якими яких котрий котра котре котрі скільки чий чия чиє був була було
    були буде б би є там тому ж же ще вже саме взагалі і в у на з із
    до по за про від для при над під щодо зі після перед між через без серед крім окрім
    ну так сталося відбулося
    и или что кто кого кому кем чего чем чём когда где почему зачем как какой какая какое какие
    какого какую каком каким какими каких какому какою который которая которое которые которой
    которую ли бы б сколько
    чей чья чьё был была было были будет есть же ещё уже именно вообще в во на с со
    к по за про от для при над под о об из изо у до после перед между через без среди кроме
    насчёт насчет ну так произошло случилось"""
)
_JOINING = frozenset(["and", "і", "й", "та", "и"])
# Words that ask: a follow-up without any ("and the bodies?") asks what the question before did.
_ASKING = _word_set(
    """what which who whom whose when where why how did does do
    що хто кого кому ким чого чим коли де чому навіщо як який яка яке які якого яку якої якій якому
    яким якою якими яких котрий котра котре котрі скільки чий чия чиє чи
    что кто кого кому кем чего чем чём когда где почему зачем как какой какая какое какие какого
    какую каком каким какими каких какому какою который которая которое которые которой которую
    сколько чей чья чьё
    ли"""
)
# A time told from one said before ("the next day", "накануне") points back as "then" does, and
# carries no subject of its own.
_RELATIVE_TIME = re.compile(
    r"(?<!\w)(?:(?:the )?(?:next|following) day|the day (?:after|before)|"
    r"a day (?:earlier|later|before|after)|afterwards|after that|"
    r"наступного дня|на наступний день|напередодні|днем (?:раніше|пізніше)|після цього|"
    r"того ж дня|на следующий день|накануне|дн[её]м (?:раньше|позже)|после этого|"
    r"в тот же день)(?!\w)",
    re.IGNORECASE,
)
# What only makes sense against something said before: in return (for what?), instead (of
# what?), again or next time (after which meeting?). "in exchange for prisoners" says for what.
_IN_RETURN_OR_AGAIN = re.compile(
    r"(?<!\w)(?:in (?:exchange|return)(?! for)|in response(?! to)|in turn|instead|again|"
    r"next time|last time|натомість|взамін(?! за)|в обмін(?! на)|у відповідь(?! на)|знову|знов|"
    r"наступного разу|минулого разу|взамен(?! (?:на|за))|в обмен(?! на)|в ответ(?! на)|снова|"
    r"опять|вновь|в следующий раз|в прошлый раз)(?!\w)",
    re.IGNORECASE,
)
_POINTING_PHRASES = (_RELATIVE_TIME, _IN_RETURN_OR_AGAIN)
# Words asking what came after the subject talked of: "after that", "eventually", "actually"
# (did the swap agreed actually happen?), "потім", "зрештою", "в итоге".
_LATER = re.compile(
    r"(?<!\w)(?:after that|afterwards|later|eventually|in the end|actually|finally|since then|"
    r"після цього|згодом|зрештою|врешті|пізніше|потім|в підсумку|насправді|фактично|"
    r"после этого|потом|позже|в итоге|в конце концов|впоследствии|наконец|в результате|"
    r"на самом деле)(?!\w)",
    re.IGNORECASE,
)
# An English clitic after a pronoun or question word ("they'd", "what's") leaves its head.
_CLITIC = re.compile(r"['’](?:d|s|re|ve|ll|m)$", re.IGNORECASE)


# A proposal, a demand, or the conditional a plan is told in ("would", "мала б", "должна бы").
_PROPOSAL_OR_CONDITIONAL = re.compile(
    r"(?<!\w)(?:proposals?|offers?|demands?|would|пропозиці\w*|вимог\w*|б|би|"
    r"предложени\w*|требовани\w*|бы)(?!\w)",
    re.IGNORECASE,
)


def _head(word: str) -> str:
    """Return the word folded, without an English clitic: "they'd" is "they"."""
    return _CLITIC.sub("", word.casefold())


def _without_pointing_phrases(question: str) -> str:
    for phrase in _POINTING_PHRASES:
        question = phrase.sub(" ", question)
    return question


def has_words(question: str) -> bool:
    """Return whether the text has any word or number in it (not only emoji or punctuation)."""
    return bool(words(question))


def content_words(question: str) -> list[str]:
    """Return the words that can carry a subject: not question words, pronouns or particles."""
    told = _without_pointing_phrases(question)
    return [word for word in words(told) if _head(word) not in _EMPTY]


def names_something(question: str) -> bool:
    """Return whether the question names a subject: a proper name (capital inside) or a number."""
    spoken = words(question)
    for position, word in enumerate(spoken):
        if any(character.isdigit() for character in word):
            return True
        if position > 0 and word[:1].isupper() and _head(word) not in _EMPTY:
            return True
    return False


def asks_nothing_itself(question: str) -> bool:
    """Return whether the question has no word that asks ("and the bodies?", "а тіл?")."""
    return not any(_head(word) in _ASKING for word in words(question))


def asks_what_came_after(question: str) -> bool:
    """Return whether a follow-up asks what came after its subject ("что потом сказал Ушаков?")."""
    return bool(_LATER.search(question))


def opens_like_follow_up(question: str) -> bool:
    """Return whether the question opens with "and …", "what about …", "а …", "и …"."""
    return bool(_LEADS.match(question))


def refers_back(question: str) -> bool:
    """Return whether the question points back: "it", "that", "there", "the next day", "again"…

    A pronoun after "and" that follows a subject points inside the question ("how old is Lavrov
    and where was he born?"), not back.
    """
    if any(phrase.search(question) for phrase in _POINTING_PHRASES):
        return True
    seen_subject = False
    for word in words(question):
        folded = _head(word)
        if folded in _JOINING and seen_subject:
            return False
        if folded in _REFERRING:
            return True
        seen_subject = seen_subject or folded not in _EMPTY
    return False


def is_follow_up(question: str) -> bool:
    """Return whether the question leans on the one before it.

    Opening with "and"/"а"/"и" or pointing back ("when was that?", "who proposed it?") makes it
    one unless it is long enough to say its own subject and says which talks it means ("а
    скільки тіл готова передати Росія?" names only a side); so does naming nothing in a few
    words ("where was the meeting held?": which meeting is the one just talked about), or, in
    any number of words, only the sides or the people at the talks ("who led the Russian
    side?", "what did Lavrov say about peacekeepers?").
    """
    own = content_words(question)
    anchored = names_which_talks(question)
    if opens_like_follow_up(question) or refers_back(question):
        return len(own) < CONVERSATION_TUNING.own_subject_words or not anchored
    # "коли відбувся перший етап обміну полоненими?": the first stage of the exchange talked of.
    if is_short_unanchored(question) or orders_a_part_of_an_unnamed_event(question):
        return True
    if anchored:
        return False
    # Long enough to say its own subject, a question that names no talks but the people at them
    # ("what did Lavrov say about peacekeepers?", "чи погодилася Москва на пропозицію
    # Зеленського?") still asks about the talks just talked about.
    if len(own) >= CONVERSATION_TUNING.own_subject_words:
        return names_a_side(question) or names_a_person(question)
    return True


def too_short_to_stand_alone(question: str) -> bool:
    """Return whether a question, asked with nothing before it, lacks a subject to look up.

    "And what did Zelensky say?" or "who proposed it?" lean on something unsaid even when they
    name someone; "what was agreed?" names nothing to look up; "and did Russia hand over its
    document?" opens on something unsaid and names no talks.
    """
    own = content_words(question)
    # "а передала ли Россия свой документ?" opens as if something came before and names no
    # talks: long as it is, it cannot say which talks alone.
    if opens_like_follow_up(question) and not names_which_talks(question):
        return True
    if opens_like_follow_up(question) or refers_back(question):
        return len(own) < CONVERSATION_TUNING.own_subject_words
    if names_something(question):
        return False
    return len(own) < CONVERSATION_TUNING.standalone_words


def asks_what_someone_did(question: str) -> bool:
    """Return whether a short question asks what a person said or did, naming no talks.

    "що заявив Зеленський?" or "what did Putin answer?" fits every meeting those people spoke
    at; "who is Medinsky?" asks nothing of a meeting (no word of its own but the name).
    """
    if is_status_question(question) or not is_short_unanchored(question):
        return False
    return names_a_person(question) and len(content_words(question)) > 1


def weighs_an_unnamed_proposal(question: str) -> bool:
    """Return whether a question naming no talks asks of a proposal it names only by who made it.

    "чи погодилася Москва на пропозицію Зеленського?" (which proposal?) or "з якої області мала
    б вийти Україна?" (would, under which plan?) name the sides or the people at the talks, a
    proposal or a conditional, and a few words more: every plan those sides traded fits.
    "who is Medinsky?" asks nothing of a meeting (no word of its own but the name).
    """
    if is_status_question(question) or names_which_talks(question):
        return False
    if not _PROPOSAL_OR_CONDITIONAL.search(question):
        return False
    if not (names_a_side(question) or names_a_person(question)):
        return False
    spoken = words(question)
    first = spoken[0] if spoken else ""
    own = [
        word
        for word in content_words(question)
        if not is_side(word) and not (word[:1].isupper() and word != first)
    ]
    return 0 < len(own) <= CONVERSATION_TUNING.words_beside_proposers
