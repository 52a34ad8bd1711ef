"""Text clean-up and language detection shared by the loaders and the query path."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Spaces that look like a space but do not split words for tokenisers.
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004"), " ")
_SPACE_LIKE.update(dict.fromkeys(map(ord, "\u2005\u2006\u2008\u2009\u200a\u205f\u3000"), " "))
# Invisible characters that silently break exact and keyword matching; soft hyphens too.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    None,
)
_LINE_BREAKS = {
    ord("\r"): "\n",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n\n",
    ord("\x85"): "\n",
    ord("\f"): "\n",
}
_TRANSLATION = {**_SPACE_LIKE, **_INVISIBLE, **_LINE_BREAKS, ord("\t"): " ", ord("\v"): " "}

_HORIZONTAL_SPACE = re.compile(r"[ \t\f\v]+")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def normalize_text(text: str) -> str:
    """Return text in NFC with tidy whitespace, invisible and control characters removed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).translate(_TRANSLATION)
    # Cc covers NUL, escape codes and the like; newlines are the only ones worth keeping.
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _PARAGRAPH_BREAK.sub("\n\n", "\n".join(lines)).strip()


# Letters that exist in only one of the two languages the library is mostly written in.
_UKRAINIAN_ONLY = frozenset("іїєґ")
_RUSSIAN_ONLY = frozenset("ыэъё")
_WORD = re.compile(r"[^\W\d_]+")
# Frequent words spelt differently in the two languages; they decide short questions.
_UKRAINIAN_WORDS = frozenset(
    _WORD.findall(
        "що як коли чи це цей ця ці він вона вони буде будуть був була були які який яка яке де "
        "але або якщо вже зараз дякую переговори перемовини новини угода"
    )
)
_RUSSIAN_WORDS = frozenset(
    _WORD.findall(
        "что как когда где это он она они будет будут был была какие какой какая какое но или "
        "если сейчас спасибо привет новости соглашение перемирие"
    )
)
_CYRILLIC_LANGUAGES = ("uk", "ru", "be", "bg", "mk", "sr", "kk")
_LATIN_LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "ro", "hu", "tr", "sv", "da",
    "no", "fi", "lt", "lv", "et", "hr", "sl", "sq", "ca",
)  # fmt: skip
# Below this many letters the n-gram model is guesswork, so stay close to the likely languages.
_SHORT_TEXT_LETTERS = 40
# On short Latin text "en" wins unless another language scores clearly better (log-prob units).
_ENGLISH_MARGIN = 4.0
DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """Load py3langid's model once; a private instance so nobody's set_languages affects us."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


def _scores(text: str) -> dict[str, float]:
    return dict(_identifier().rank(text))


def _best(scores: dict[str, float], candidates: tuple[str, ...]) -> str:
    # Ties (e.g. no n-gram features at all) resolve to the first candidate: deterministic.
    return max(candidates, key=lambda lang: scores.get(lang, float("-inf")))


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"


def dominant_script(text: str) -> str | None:
    """Return "cyrillic" or "latin" for the alphabet most of the text's letters use, else None."""
    cyrillic = latin = 0
    for ch in text:
        if ch.isalpha():
            if _is_cyrillic(ch):
                cyrillic += 1
            elif _is_latin(ch):
                latin += 1
    if not cyrillic and not latin:
        return None
    return "cyrillic" if cyrillic > latin else "latin"


def keyword_writing(text: str, language: str | None = None) -> str | None:
    """Return which texts the text's words can match: "latin", "uk", "ru" or "cyrillic".

    Latin-script languages share names, numbers and many words; Ukrainian and Russian share an
    alphabet but inflect the same words differently ("переговорів" / "переговоров"), so keywords
    rarely cross between them. `language` is the text's known language, detected when missing.
    """
    script = dominant_script(text)
    if script != "cyrillic":
        return script
    language = language or detect_language(text)
    return language if language in ("uk", "ru") else "cyrillic"


def language_writing(language: str) -> str | None:
    """Return `keyword_writing`'s answer for a text known to be in `language`, unread."""
    if language in ("uk", "ru"):
        return language
    if language in _CYRILLIC_LANGUAGES:
        return "cyrillic"
    if language in _LATIN_LANGUAGES:
        return "latin"
    return None


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of text's language, biased towards en/uk/ru on short input."""
    letters = [ch for ch in text.lower() if ch.isalpha()]
    if not letters:
        return DEFAULT_LANGUAGE
    cyrillic = sum(map(_is_cyrillic, letters))
    latin = sum(map(_is_latin, letters))
    short = len(letters) < _SHORT_TEXT_LETTERS
    if cyrillic and cyrillic >= latin:
        return _detect_cyrillic(text, letters, short)
    if latin:
        scores = _scores(text)
        guess = _best(scores, _LATIN_LANGUAGES)
        if short and scores[guess] - scores["en"] <= _ENGLISH_MARGIN:
            return "en"
        return guess
    return _identifier().classify(text)[0]


def _detect_cyrillic(text: str, letters: list[str], short: bool) -> str:
    scores = _scores(text)
    guess = _best(scores, ("uk", "ru") if short else _CYRILLIC_LANGUAGES)
    if guess not in ("uk", "ru"):
        return guess
    # The model confuses uk and ru on headlines; the alphabet and a few words are cheap, sure hints.
    words = _WORD.findall(text.lower())
    ukrainian_marks = sum(ch in _UKRAINIAN_ONLY for ch in letters)
    ukrainian_marks += sum(word in _UKRAINIAN_WORDS for word in words)
    russian_marks = sum(ch in _RUSSIAN_ONLY for ch in letters)
    russian_marks += sum(word in _RUSSIAN_WORDS for word in words)
    if ukrainian_marks > russian_marks:
        return "uk"
    if russian_marks > ukrainian_marks:
        return "ru"
    return guess
