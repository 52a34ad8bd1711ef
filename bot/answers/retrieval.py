"""Retrieve: the passages a question is answered from, ranked, with the dates that frame them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.answers.preferring import with_preferred
from bot.answers.query import Query
from bot.answers.questions import named_period
from bot.answers.recent_reporting import with_recent
from bot.answers.reranking import latest_reporting, with_period
from bot.answers.status_scope import status_track
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.documents import SearchHit
from index.search import Searcher, SearchFilters


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for a question, and the library's dates it was judged against."""

    hits: list[SearchHit]  # ranked; logged, and what coverage is judged on
    passages: list[SearchHit]  # what is read and picked from: a status question's latest first
    period: tuple[date, date] | None  # the month or day the question names
    oldest: date | None  # the library's oldest report
    newest: date | None  # and its newest
    # The parties of each negotiation track the library holds: the scope guard counts a
    # question about another negotiation as off-topic only while no track is about it.
    held_parties: tuple[tuple[str, ...], ...] = ()
    # The parties each report of the library names: a question naming two parties no report
    # names together is about something the library does not cover.
    reported_parties: tuple[frozenset[str], ...] = ()
    # Every party those reports name (None: formed from reported_parties when needed).
    every_reported_party: frozenset[str] | None = None

    @property
    def best_cosine(self) -> float:
        """The cosine of the passage closest to the question (0 when none was found)."""
        return max((hit.dense_score or 0.0 for hit in self.hits), default=0.0)

    def rows(self) -> list[dict[str, object]]:
        """Describe the retrieved passages for the answer log, in rank order."""
        return [retrieved_row(hit, rank) for rank, hit in enumerate(self.hits, start=1)]


def retrieve(searcher: Searcher, query: Query, tuning: AnswerTuning = ANSWER_TUNING) -> Retrieval:
    """Search for the question; favour its month, the latest on its subject, the articles cited."""
    hits, anchor, period = _ranked(searcher, query, tuning)
    hits = with_preferred(
        searcher,
        query.text,
        query.vector,
        hits,
        query.prefer,
        tuning.period_k,
        later_after_days=tuning.later_after_days if query.later else None,
    )
    passages = hits
    if query.status and anchor is not None and hits:
        passages = latest_reporting(hits, anchor, tuning)
    catalog = searcher.tracks
    held = tuple(tuple(view.track.parties) for view in catalog.tracks())
    return Retrieval(
        hits,
        passages,
        period,
        searcher.oldest_published,
        searcher.newest_published,
        held,
        catalog.reported_parties,
        catalog.every_reported_party,
    )


def _ranked(
    searcher: Searcher, query: Query, tuning: AnswerTuning
) -> tuple[list[SearchHit], date | None, tuple[date, date] | None]:
    """Return the hits, the date "latest" is counted from, and the period the question names."""
    question, vector, track = query.text, query.vector, query.track
    # A track asked for by name narrows the search to its reports (UnknownTrack if none).
    scope = status_track(searcher, question, [], track) if track is not None else None
    only = SearchFilters(articles=scope.article_keys) if scope is not None else SearchFilters()
    hits = searcher.search(question, tuning.retrieve_k, filters=only, query_vector=vector)
    period = named_period(question, searcher.newest_published, tuning)
    if period is not None:
        hits = with_period(searcher, question, vector, hits, period, tuning.period_k)
    anchor = searcher.newest_published
    if query.status:
        # The current state of one negotiation track: its latest reporting leads.
        scope = scope or status_track(searcher, question, hits)
        hits, anchor = with_recent(
            searcher, question, vector, hits, scope, to_newest=track is not None, tuning=tuning
        )
    return hits, anchor, period


def retrieved_row(hit: SearchHit, fused_rank: int) -> dict[str, object]:
    """Describe a retrieved passage for the answer log."""
    chunk = hit.chunk
    return {
        "chunk_id": chunk.chunk_id,
        "article_id": chunk.article_id,
        "score": round(hit.score, 6),
        "cosine": round(hit.dense_score or 0.0, 4),
        # Where the passage stood in each search and in the fused list, for the review desk.
        "dense_rank": hit.dense_rank,
        "keyword_rank": hit.keyword_rank,
        "fused_rank": fused_rank,
        "quoted": False,
        "title": chunk.title,
        "source": chunk.source,
        "published": chunk.published.isoformat(),
        "url": chunk.url,
        "text": chunk.text,
    }
