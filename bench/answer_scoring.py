"""Scoring an answer against a question's expectations: the articles ranked, the fact given."""

from __future__ import annotations

import re

from bot.answers.answer_types import Answer
from bot.answers.tuning import ANSWER_TUNING


def squash(text: str) -> str:
    """Lower-case, and drop thousands separators so '1,200' matches '1200'."""
    return re.sub(r"(?<=\d)[,\u00a0 ](?=\d{3})", "", text.lower())


def article_ids(answer: Answer, k: int) -> list[str]:
    """Return the first k distinct articles in the order the answerer ranked its passages."""
    ids: list[str] = []
    for row in answer.retrieved:
        if row["article_id"] not in ids:
            ids.append(str(row["article_id"]))
    return ids[:k]


def facts(item: dict) -> list[str]:
    """Return the accepted spellings of the expected fact (a name has one per script)."""
    fact = item.get("expected_fact")
    if not fact:
        return []
    return [fact] if isinstance(fact, str) else list(fact)


def has_fact(item: dict, text: str) -> bool:
    """Tell whether the text holds one of the item's accepted spellings of its fact."""
    return any(squash(fact) in squash(text) for fact in facts(item))


def miss_kind(row: dict) -> str:
    """Say where an answer lost its expected fact.

    "declined"; "not retrieved" (in none of the passages retrieved); "retrieved, not read" (only
    in passages after the `sentence_chunks` (bot/answers/tuning.py) the sentence picker reads;
    for status questions, which read the recent ones first, this is approximate); "read, not
    picked" (in a passage the picker read, not among the sentences it chose).
    """
    answer = row["answer"]
    if answer.abstained:
        return "declined"
    texts = [str(passage["text"]) for passage in answer.retrieved]
    if not any(has_fact(row, text) for text in texts):
        return "not retrieved"
    if not any(has_fact(row, text) for text in texts[: ANSWER_TUNING.sentence_chunks]):
        return "retrieved, not read"
    return "read, not picked"
