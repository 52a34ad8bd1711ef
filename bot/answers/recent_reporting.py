"""The latest reporting on a status question's subject: which report is newest, and its passages."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.documents import SearchHit
from index.search import Searcher, SearchFilters
from index.track_catalog import TrackView


def with_recent(
    searcher: Searcher,
    question: str,
    query_vector: np.ndarray,
    hits: list[SearchHit],
    scope: TrackView | None = None,
    *,
    to_newest: bool = False,
    tuning: AnswerTuning = ANSWER_TUNING,
) -> tuple[list[SearchHit], date | None]:
    """Put the best passages of the latest reporting on the question's subject ahead of the rest.

    Returns the hits and the date of that latest reporting: the newest report in the library
    (or in the track `scope`, when the library holds several) for "what's the latest on the
    talks", but the newest one naming Istanbul for "where do the Istanbul talks stand now", when
    the newest report is about another strand of the talks. `to_newest` anchors on the track's
    newest report whatever it names (the /status command). `tuning` gives the window
    (recent_days, recent_k) and how the subject is found (subject_pool, subject_share).
    """
    newest = scope.newest if scope is not None else searcher.newest_published
    if newest is None:
        return hits, None
    keys = scope.article_keys if scope is not None else frozenset()
    recent = _published_before(searcher, question, query_vector, newest, keys, tuning)
    if to_newest:
        anchor = newest
    else:
        wider = _merged(
            searcher.search(
                question,
                tuning.subject_pool,
                filters=SearchFilters(articles=keys),
                query_vector=query_vector,
            ),
            [
                hit
                for hit in searcher.naming(question, tuning.subject_pool, query_vector)
                if not keys or hit.chunk.article_id in keys
            ],
        )
        on_subject = _merged(recent, wider)
        anchor = _newest_on_subject(searcher, question, on_subject, tuning.subject_share) or newest
    if anchor < newest - timedelta(days=tuning.recent_days):
        recent = _published_before(searcher, question, query_vector, anchor, keys, tuning)
    if keys:
        hits = [hit for hit in hits if hit.chunk.article_id in keys]
    return _merged(recent, hits), anchor


def _published_before(
    searcher: Searcher,
    question: str,
    query_vector: np.ndarray,
    last: date,
    articles: frozenset[str] = frozenset(),
    tuning: AnswerTuning = ANSWER_TUNING,
) -> list[SearchHit]:
    """Return the best passages of the recent_days up to `last` (only `articles`, if given)."""
    first = last - timedelta(days=tuning.recent_days)
    window = SearchFilters(published_from=first, published_to=last, articles=articles)
    return searcher.search(question, tuning.recent_k, filters=window, query_vector=query_vector)


def _newest_on_subject(
    searcher: Searcher, question: str, hits: list[SearchHit], share: float
) -> date | None:
    """Return the date of the newest hit naming nearly as much of the question's subject as any.

    The subject is the glossary concepts the question names, weighed by rarity; "nearly" is
    `share` of the best hit's score. None when the question names none, or no hit names any.
    """
    scores = searcher.concept_scores(question, hits)
    best = max(scores, default=0.0)
    if best <= 0:
        return None
    return max(
        hit.chunk.published
        for hit, score in zip(hits, scores, strict=True)
        if score >= share * best
    )


def _merged(first: list[SearchHit], then: list[SearchHit]) -> list[SearchHit]:
    """Return the hits of `first`, then those of `then` not already among them."""
    seen = {hit.chunk.chunk_id for hit in first}
    return first + [hit for hit in then if hit.chunk.chunk_id not in seen]
