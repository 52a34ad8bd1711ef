"""The kind of fact a question asks for, and whether a sentence carries one."""

from __future__ import annotations

import re

from bot.answers.questions import names_a_month, numbers_in, without_dates

_CAPITALISED = re.compile(r"\b[A-ZА-ЯІЇЄҐ][\w'’ʼ-]+")
# A person is named by two capitalised words in a row: "Marco Rubio", "Володимир Мединський".
_FULL_NAME = re.compile(r"\b[A-ZА-ЯІЇЄҐ][a-zа-яіїєґё'’ʼ-]+ [A-ZА-ЯІЇЄҐ][a-zа-яіїєґё'’ʼ-]+")
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|half|"
    r"один|два|три|чотири|п'ять|четыре|пять|сотн|тисяч|тысяч)\w*",
    re.IGNORECASE,
)
_ANSWER_TYPES = {
    "duration": re.compile(
        r"how long|how many (hours|days|minutes|weeks)|як довго|"
        r"скільки (трива|йшл|часу|годин|хвилин|днів|діб)|"
        r"как долго|сколько (длил|продолжал|шл|времени|по времени|час)",
        re.I,
    ),
    "number": re.compile(r"how (many|much)|скільки|сколько", re.I),
    "date": re.compile(r"\bwhen\b|what date|\bколи\b|\bкогда\b", re.I),
    "person": re.compile(
        r"\bwho\b|\bwhom\b|\bwhich (\w+ )?(leader|official|people|president|minister|"
        r"chancellor|envoy|negotiator|diplomat)|"
        r"\b(хто|кого|кому|ким|кто|кем)\b|"
        r"як(і|ий|ого|ому) (\w+ )?(лідер|посадов|політик|президент|міністр|канцлер|посланц|"
        r"переговорник|дипломат)|"
        r"как(ие|ой|ого|ому) (\w+ )?(лидер|чиновник|политик|президент|министр|канцлер|"
        r"посланник|переговорщик|дипломат)",
        re.I,
    ),
    "place": re.compile(r"\bwhere\b|\bде\b|\bгде\b", re.I),
    # "how did Kyiv react?", "and Moscow's response?", "що на це Путін?", "what did Zelensky call
    # the document?": what a side said back, or said of it.
    "reaction": re.compile(
        r"\b(react\w*|respon\w*|repl(y|ied)|comment\w*|take it|answer|describ\w*)\b|"
        r"\bcall(ed)?\s+(it|the|this|that|them|him|her|its|their|his)\b|назва\w*|"
        r"охарактеризува\w*|"
        r"відреаг\w*|реакці\w*|відпов(і|и)\w*|на це|отреаг\w*|реакци\w*|ответ\w*|на это|"
        r"прокомментир\w*|прокоментув\w*",
        re.I,
    ),
}
# A sentence telling what someone said or did about it: "Kyiv said it would not recognise …".
_SAID_BACK = re.compile(
    r"\b(said|says|saying|called|described|dismiss\w*|reject\w*|welcom\w*|warn\w*|insist\w*|"
    r"den(y|ied|ies)|respond\w*|repl(y|ied)|react\w*|accus\w*|refus\w*|would not|"
    r"had not|criticis\w*|criticiz\w*|condemn\w*|stress\w*|declar\w*)\b|"
    r"заяв\w*|сказа\w*|назва\w*|відкин\w*|відмов\w*|відповів\w*|відповіл\w*|"
    r"привіта\w*|попереди\w*|наполяг\w*|запереч\w*|звинува\w*|наголос\w*|отверг\w*|"
    r"отказа\w*|ответил\w*|приветствова\w*|предупреди\w*|настаива\w*|отрица\w*|обвини\w*|"
    r"подчеркну\w*",
    re.I,
)

# Where things happened is often told without a proper name: "on the Belarusian border".
_PLACE_NOUN = re.compile(
    r"\b(border|frontier|palace|base|airport|embassy|residence|resort|venue|"
    r"кордон|палац|баз[аіиу]|аеропорт|посольств|резиденц|"
    r"границ|дворц|дворец|аэропорт)\w*",
    re.I,
)

_DURATION = re.compile(
    r"(\d+|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|"
    r"half an?|a few|several|одн|дв|три|чотир|п'ят|пят|четыр|кілька|несколько|"
    r"понад|більше|менше|майже|близько|больше|более|меньше|менее|почти|около)\w*|\ban?)[\s-]*"
    r"(hour|day|minute|week|month|year|годин|хвилин|дн|день|доб|тиж|місяц|час|минут|"
    r"сут|недел|месяц)\w*",
    re.I,
)


def answer_type(question: str) -> str | None:
    """Guess the kind of fact wanted: a duration, a number, a date, a person, a place, a reaction.

    The earliest cue wins: "Who was Putin meeting with when he announced the truce?" asks for a
    person, "when" only dates the meeting. At one position the longer cue ("how many hours")
    comes first in `_ANSWER_TYPES`.
    """
    cues = [
        (match.start(), order, kind)
        for order, (kind, pattern) in enumerate(_ANSWER_TYPES.items())
        if (match := pattern.search(question))
    ]
    return min(cues)[2] if cues else None


def carries_answer_type(wanted: str | None, sentence: str, question: str) -> bool:
    """Return whether a sentence carries the kind of fact asked for, one the question lacks."""
    if wanted is None:
        return False
    if wanted == "duration":
        return bool(_DURATION.search(sentence))
    if wanted == "number":
        counts = numbers_in(without_dates(sentence)) - numbers_in(question)
        return bool(counts or _NUMBER_WORDS.search(sentence))
    if wanted == "date":
        new_numbers = numbers_in(sentence) - numbers_in(question)
        return bool(new_numbers or names_a_month(sentence))
    if wanted == "reaction":
        return bool(_SAID_BACK.search(sentence))
    asked = {word.lower() for word in _CAPITALISED.findall(question)}
    if wanted == "person":
        # "Vladimir Putin" is no answer to a question that names Putin.
        names = {name.lower() for name in _FULL_NAME.findall(sentence)}
        return any(not set(name.split()) & asked for name in names)
    places = {word.lower() for word in _CAPITALISED.findall(sentence)[1:]} - asked
    return bool(places or _PLACE_NOUN.search(sentence))
