"""Split a question into words, one way for all of the conversation code."""

from __future__ import annotations

import re

# Letters and digits, joined by an apostrophe, a hyphen or a dot inside a word: "п'ять",
# "they'd", "Ер-Ріяд" and "U.S." are one word each.
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Return the words and numbers of a text."""
    return _WORD.findall(text)


def word_spans(text: str) -> list[re.Match[str]]:
    """Return each word of a text with where it stands."""
    return list(_WORD.finditer(text))
