"""Turn a question into a grounded, cited answer: retrieve, pick sentences, cite, or abstain."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

import numpy as np

from bot import i18n
from bot.answer_types import Answer, Citation
from bot.generative import NO_ANSWER
from bot.questions import (
    is_status_question,
    named_period,
    outside_coverage,
    question_language,
)
from bot.recent_reporting import RECENT_DAYS, with_recent
from bot.scope import ScopeGuard
from bot.sentences import SentencePicker, freshness
from bot.status_scope import status_track
from index.documents import Chunk, SearchHit
from index.embedding import Embedder
from index.normalize import normalize_text
from index.search import RRF_K, Searcher, SearchFilters

# Cosine of the best passage below which the library is taken not to cover the question,
# per model; calibrated by bench/bench_answers.py --calibrate (docs/benchmarks.md).
CALIBRATED_THRESHOLDS = {"multilingual-e5-small": 0.806, "all-MiniLM-L6-v2": 0.575, "fake": 0.2}
DEFAULT_THRESHOLD = 0.35
# A moderator's correction is reused when a new question is at least this close to the old one;
# e5 puts any two questions about the talks near 0.9, so it needs a higher bar.
CORRECTION_MATCH = {"multilingual-e5-small": 0.95}
DEFAULT_CORRECTION_MATCH = 0.9
RETRIEVE_K = 8
SENTENCE_CHUNKS = 5


class CorrectionLike(Protocol):
    """An approved moderator correction, as the log store returns it."""

    question: str
    corrected_answer: str
    language: str
    reviewed_at: datetime


class Generator(Protocol):
    """Writes an answer from numbered passages; None means 'use the extractive answer'."""

    def write(self, question: str, language: str, passages: Sequence[Citation]) -> str | None:
        """Return answer text with [n] citations, NO_ANSWER, or None on any failure.

        NO_ANSWER means the passages were read and do not answer the question.
        """
        ...


class Answerer:
    """Answers questions; the searcher is fetched per question so the index can be swapped."""

    def __init__(
        self,
        searcher: Callable[[], Searcher],
        embedder: Embedder,
        *,
        threshold: float | None = None,
        sentences: int = 6,
        corrections: Callable[[], Sequence[CorrectionLike]] | None = None,
        generator: Generator | None = None,
        scope_margin: float | None = None,
        picker: SentencePicker | None = None,
    ) -> None:
        self._searcher = searcher
        self.embedder = embedder
        self.threshold = (
            threshold
            if threshold is not None
            else CALIBRATED_THRESHOLDS.get(embedder.name, DEFAULT_THRESHOLD)
        )
        self.sentences = sentences
        self._corrections = corrections
        self._correction_vectors: dict[str, np.ndarray] = {}
        self._picker = picker or SentencePicker(embedder)
        self.scope = ScopeGuard(embedder, scope_margin)
        self.generator = generator

    def answer(
        self, question: str, *, language_hint: str | None = None, track: str | None = None
    ) -> Answer:
        """Answer one question (already checked to be non-empty and short enough).

        `track` (an id or name) makes it a question about that negotiation track's current state;
        an unknown one raises UnknownTrack.
        """
        started = time.perf_counter()
        question = normalize_text(question)
        language = question_language(question, language_hint)
        query_vector = self.embedder.encode([question], kind="query")[0]
        reviewed = None if track else self._reviewed(question, language, query_vector)
        answer = reviewed or self._from_library(question, language, query_vector, track)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _reviewed(self, question: str, language: str, query_vector: np.ndarray) -> Answer | None:
        corrections = list(self._corrections()) if self._corrections else []
        if not corrections:
            return None
        unseen = [c.question for c in corrections if c.question not in self._correction_vectors]
        if unseen:
            for text, vector in zip(
                unseen, self.embedder.encode(unseen, kind="query"), strict=True
            ):
                self._correction_vectors[text] = vector
        best = max(
            corrections, key=lambda c: float(self._correction_vectors[c.question] @ query_vector)
        )
        bar = CORRECTION_MATCH.get(self.embedder.name, DEFAULT_CORRECTION_MATCH)
        if float(self._correction_vectors[best.question] @ query_vector) < bar:
            return None
        note = i18n.text(
            language, "reviewed", date=i18n.format_date(best.reviewed_at.date(), language)
        )
        return Answer(
            question=question,
            text=f"{best.corrected_answer}\n\n{note}",
            language=language,
            abstained=False,
            reviewed=True,
            mode="reviewed",
        )

    def _from_library(
        self, question: str, language: str, query_vector: np.ndarray, track: str | None = None
    ) -> Answer:
        searcher = self._searcher()
        status = track is not None or is_status_question(question)
        # A track asked for by name narrows the search to its reports (UnknownTrack if none).
        scope = status_track(searcher, question, [], track) if track is not None else None
        only = SearchFilters(articles=scope.article_keys) if scope is not None else SearchFilters()
        hits = searcher.search(question, RETRIEVE_K, filters=only, query_vector=query_vector)
        period = named_period(question, searcher.newest_published)
        if period is not None:
            hits = _with_period(searcher, question, query_vector, hits, period)
        anchor = searcher.newest_published
        if status:
            # --- status framing: the current state of one negotiation track ---
            scope = scope or status_track(searcher, question, hits)
            hits, anchor = with_recent(
                searcher, question, query_vector, hits, scope, to_newest=track is not None
            )
        retrieved = [_retrieved_row(hit, rank) for rank, hit in enumerate(hits, start=1)]
        best_cosine = max((hit.dense_score or 0.0 for hit in hits), default=0.0)
        margin = self.scope.margin(query_vector, best_cosine) if self.scope.active else None
        oldest, newest = searcher.oldest_published, searcher.newest_published
        dated_out = outside_coverage(question, period, oldest, newest, asks_about_now=status)
        # A track asked for by name is one the library holds: its latest is never "not covered".
        if track is None and (
            dated_out
            or best_cosine < self.threshold
            or (margin is not None and not self.scope.covers(margin))
        ):
            declined = i18n.text(language, "no_answer")
            if dated_out and oldest and newest:
                span = i18n.text(
                    language,
                    "coverage",
                    first=i18n.format_date(oldest, language),
                    last=i18n.format_date(newest, language),
                )
                declined = f"{declined} {span}"
            answer = _declined(question, language, declined, retrieved, margin)
            answer.abstain_reason = (
                "outside_dates"
                if dated_out
                else "below_threshold"
                if best_cosine < self.threshold
                else "off_topic"
            )
            return answer
        if status and anchor is not None:
            hits = _by_recency(hits)
            current = [h for h in hits if 0 <= (anchor - h.chunk.published).days <= RECENT_DAYS]
            if current:
                # The question is on topic (it passed the threshold), so "what's the latest" is
                # answered from the latest reporting on it alone: older articles, however close
                # in wording (or in language), describe a past state of the talks.
                hits = current
        chosen = self._picker.choose(
            question,
            query_vector,
            hits[:SENTENCE_CHUNKS],
            stored=searcher.stored_sentence_vectors(hits[:SENTENCE_CHUNKS]),
            status=status,
            language=language,
            count=self.sentences,
        )
        if status:
            # Newest first, and older reports say when they date from, so none reads as current.
            chosen.sort(key=lambda c: c.chunk.published, reverse=True)
            newest = chosen[0].chunk.published
            for candidate in chosen:
                if candidate.chunk.published < newest and not candidate.note:
                    when = i18n.format_date(candidate.chunk.published, language)
                    candidate.note = i18n.text(language, "reported_on", date=when)
        citations: dict[str, Citation] = {}
        lines = []
        for candidate in chosen:
            chunk = candidate.chunk
            if chunk.article_id not in citations:
                citations[chunk.article_id] = _citation(len(citations) + 1, chunk, hits)
            number = citations[chunk.article_id].number
            note = f" ({candidate.note})" if candidate.note else ""
            lines.append(f"{candidate.text}{note} [{number}]")
        sources = list(citations.values())
        as_of = max(citation.published for citation in sources)
        body = " ".join(lines) if not status else "\n".join(lines)
        mode = "extractive"
        if self.generator is not None:
            written = self.generator.write(question, language, sources)
            if written == NO_ANSWER:
                # The model read the passages and found no answer in them: the honest reply is
                # that the sources do not say, not the extractive sentences it just rejected.
                text = i18n.text(language, "no_answer")
                answer = _declined(question, language, text, retrieved, margin, mode="generative")
                answer.abstain_reason = "no_answer_found"
                return answer
            if written:
                body, mode = written, "generative"
        if status:
            # "As of" once, in the asker's date format, and only on answers about the current state.
            body = f"{i18n.text(language, 'as_of', date=i18n.format_date(as_of, language))}\n{body}"
        quoted = {candidate.chunk.chunk_id for candidate in chosen}
        for row in retrieved:
            row["quoted"] = row["chunk_id"] in quoted
        return Answer(
            question=question,
            text=body,
            language=language,
            abstained=False,
            as_of=as_of if status else None,
            sources=sources,
            mode=mode,
            retrieved=retrieved,
            scope_margin=margin,
        )


def _declined(
    question: str,
    language: str,
    text: str,
    retrieved: list[dict[str, object]],
    margin: float | None,
    *,
    mode: str = "extractive",
) -> Answer:
    return Answer(
        question=question,
        text=text,
        language=language,
        abstained=True,
        retrieved=retrieved,
        scope_margin=margin,
        mode=mode,
    )


def _with_period(
    searcher: Searcher,
    question: str,
    query_vector: np.ndarray,
    hits: list[SearchHit],
    period: tuple[date, date],
) -> list[SearchHit]:
    """Favour reports published in the month the question names, without dropping the others.

    The two rankings are fused by reciprocal rank, so a passage that matches the words and the
    month beats one that matches only either.
    """
    first, last = period
    dated = searcher.search(
        question,
        RETRIEVE_K // 2,
        filters=SearchFilters(published_from=first, published_to=last),
        query_vector=query_vector,
    )
    return _fused(hits, dated)


def _fused(*rankings: list[SearchHit]) -> list[SearchHit]:
    """Merge rankings of hits by reciprocal rank; a hit in several gains from each."""
    fused: dict[str, float] = {}
    by_id: dict[str, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            chunk_id = hit.chunk.chunk_id
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
            by_id.setdefault(chunk_id, hit)
    return [by_id[chunk_id] for chunk_id in sorted(fused, key=lambda c: -fused[c])]


def _by_recency(hits: list[SearchHit]) -> list[SearchHit]:
    newest = max(hit.chunk.published for hit in hits)
    return sorted(hits, key=lambda hit: -(hit.score * (1 + freshness(hit.chunk.published, newest))))


def _citation(number: int, chunk: Chunk, hits: list[SearchHit]) -> Citation:
    score = max(
        (hit.dense_score or 0.0 for hit in hits if hit.chunk.article_id == chunk.article_id),
        default=0.0,
    )
    return Citation(
        number=number,
        title=chunk.title,
        source=chunk.source,
        published=chunk.published,
        url=chunk.url,
        score=score,
        text=chunk.text,
        article_id=chunk.article_id,
        chunk_id=chunk.chunk_id,
    )


def _retrieved_row(hit: SearchHit, fused_rank: int) -> dict[str, object]:
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


def render_plain(answer: Answer) -> str:
    """Render an answer for a terminal: the body, then the numbered sources."""
    if not answer.sources:
        return answer.text
    heading = i18n.text(answer.language, "sources")
    lines = [answer.text, "", f"{heading}:"]
    for citation in answer.sources:
        when = i18n.format_date(citation.published, answer.language)
        link = f" {citation.url}" if citation.url else ""
        lines.append(f"[{citation.number}] {citation.title} — {citation.source}, {when}{link}")
    return "\n".join(lines)
