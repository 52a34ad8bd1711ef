"""Turn a question into a grounded, cited answer: retrieve, read, decide, compose, cite."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

import numpy as np

from bot import i18n
from bot.answer_types import Answer, Citation
from bot.composing import (
    answered_first,
    as_of_heading,
    cited_lines,
    declined,
    mark_quoted,
    newest_first,
    no_answer_text,
    not_in_reports_text,
    retrieved_row,
)
from bot.conversation.preferring import focused, with_preferred
from bot.generative import NO_ANSWER
from bot.questions import (
    is_status_question,
    named_period,
    outside_coverage,
    question_language,
)
from bot.reading import PassageReader, Reading, read_hits
from bot.recent_reporting import with_recent
from bot.reranking import latest_reporting, with_period
from bot.scope import ScopeGuard
from bot.sentences import SentencePicker
from bot.status_scope import status_track
from bot.tuning import ANSWER_TUNING, AnswerTuning
from index.documents import SearchHit
from index.embedders.base import Embedder
from index.embedders.registry import weights_of
from index.normalize import normalize_text
from index.search import Searcher, SearchFilters


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
        sentences: int = ANSWER_TUNING.answer_sentences,
        corrections: Callable[[], Sequence[CorrectionLike]] | None = None,
        generator: Generator | None = None,
        scope_margin: float | None = None,
        picker: SentencePicker | None = None,
        reader: PassageReader | None = None,
        support_sentences: int = ANSWER_TUNING.support_sentences,
        reader_declines: bool = False,
        tuning: AnswerTuning = ANSWER_TUNING,
    ) -> None:
        self._searcher = searcher
        self.embedder = embedder
        self.tuning = tuning
        self.threshold = (
            threshold
            if threshold is not None
            else tuning.calibrated_thresholds.get(
                weights_of(embedder.name), tuning.default_threshold
            )
        )
        self.sentences = sentences
        self._corrections = corrections
        self._correction_vectors: dict[str, np.ndarray] = {}
        self._picker = picker or SentencePicker(embedder, tuning=tuning)
        self.scope = ScopeGuard(embedder, scope_margin, tuning)
        self.generator = generator
        self.reader = reader
        self.support_sentences = support_sentences
        self.reader_declines = reader_declines

    def answer(
        self,
        question: str,
        *,
        language_hint: str | None = None,
        track: str | None = None,
        prefer: Sequence[str] = (),
        focus: str | None = None,
    ) -> Answer:
        """Answer one question (already checked to be non-empty and short enough).

        `track` (an id or name) makes it a question about that negotiation track's current state;
        an unknown one raises UnknownTrack. `prefer` names articles to favour (those a
        conversation already cited); `focus`, a follow-up's own words, picks the sentences.
        """
        started = time.perf_counter()
        question = normalize_text(question)
        language = question_language(question, language_hint)
        query_vector = self.embedder.encode([question], kind="query")[0]
        reviewed = None if track else self._reviewed(question, language, query_vector)
        answer = reviewed or self._from_library(
            question, language, query_vector, track, prefer, focus
        )
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
        bar = self.tuning.correction_match.get(
            weights_of(self.embedder.name), self.tuning.default_correction_match
        )
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
        self,
        question: str,
        language: str,
        query_vector: np.ndarray,
        track: str | None = None,
        prefer: Sequence[str] = (),
        focus: str | None = None,
    ) -> Answer:
        searcher = self._searcher()
        status = track is not None or is_status_question(question)
        hits, anchor, period = self._retrieve(searcher, question, query_vector, track, status)
        hits = with_preferred(searcher, question, query_vector, hits, prefer, self.tuning.period_k)
        retrieved = [retrieved_row(hit, rank) for rank, hit in enumerate(hits, start=1)]
        best_cosine = max((hit.dense_score or 0.0 for hit in hits), default=0.0)
        held = [view.track.parties for view in searcher.tracks.tracks()]
        margin = self.scope.margin(query_vector, best_cosine, held) if self.scope.active else None
        oldest, newest = searcher.oldest_published, searcher.newest_published
        dated_out = outside_coverage(question, period, oldest, newest, asks_about_now=status)
        # A track asked for by name is one the library holds: its latest is never "not covered".
        reason = None if track is not None else self._abstain_reason(dated_out, best_cosine, margin)
        if reason is not None:
            text = (
                no_answer_text(language, oldest, newest) if dated_out else no_answer_text(language)
            )
            return declined(question, language, text, retrieved, margin, reason=reason)
        if status and anchor is not None:
            hits = latest_reporting(hits, anchor, self.tuning.recent_days)
        reading = self._read(question, hits, status)
        if reading is not None and not reading.findings:
            text = not_in_reports_text(language, hits[0].chunk)
            return declined(question, language, text, retrieved, margin, reason="no_answer_found")
        top = hits[: self.tuning.sentence_chunks]
        chosen = self._picker.choose(
            focus or question,
            focused(self.embedder, focus, query_vector),
            top,
            stored=searcher.stored_sentence_vectors(top),
            status=status,
            language=language,
            count=self.sentences,
        )
        finding = reading.findings[0] if reading is not None else None
        if finding is not None:
            chosen = answered_first(finding, chosen, self.support_sentences)
        if status:
            newest_first(chosen, language)
        lines, sources = cited_lines(chosen, hits)
        as_of = max(citation.published for citation in sources)
        body = " ".join(lines) if not status else "\n".join(lines)
        mode = "extractive" if finding is None else "reader"
        if self.generator is not None:
            written = self.generator.write(question, language, sources)
            if written == NO_ANSWER:
                # The model read the passages and found no answer in them: the honest reply is
                # that the sources do not say, not the extractive sentences it just rejected.
                text = no_answer_text(language)
                return declined(
                    question,
                    language,
                    text,
                    retrieved,
                    margin,
                    reason="no_answer_found",
                    mode="generative",
                )
            if written:
                body, mode = written, "generative"
        if status:
            body = as_of_heading(body, as_of, language)
        mark_quoted(retrieved, chosen)
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
            highlight=finding.span if finding is not None else None,
            reader_margin=finding.margin if finding is not None else None,
        )

    def _read(self, question: str, hits: list[SearchHit], status: bool) -> Reading | None:
        """Read the top passages; None leaves the answer to the sentence picker.

        Questions on the state of the talks want a summary, not one span, and a generative
        model reads the passages itself.
        """
        if self.reader is None or status or self.generator is not None:
            return None
        reading = read_hits(self.reader, question, hits, self.tuning.read_passages)
        return reading if reading.findings or self.reader_declines else None

    def _retrieve(
        self,
        searcher: Searcher,
        question: str,
        query_vector: np.ndarray,
        track: str | None,
        status: bool,
    ) -> tuple[list[SearchHit], date | None, tuple[date, date] | None]:
        """Return the hits, the date "latest" is counted from, and the period the question names."""
        # A track asked for by name narrows the search to its reports (UnknownTrack if none).
        scope = status_track(searcher, question, [], track) if track is not None else None
        only = SearchFilters(articles=scope.article_keys) if scope is not None else SearchFilters()
        k = self.tuning.retrieve_k
        hits = searcher.search(question, k, filters=only, query_vector=query_vector)
        period = named_period(question, searcher.newest_published)
        if period is not None:
            hits = with_period(searcher, question, query_vector, hits, period, self.tuning.period_k)
        anchor = searcher.newest_published
        if status:
            # The current state of one negotiation track: its latest reporting leads.
            scope = scope or status_track(searcher, question, hits)
            hits, anchor = with_recent(
                searcher,
                question,
                query_vector,
                hits,
                scope,
                to_newest=track is not None,
                tuning=self.tuning,
            )
        return hits, anchor, period

    def _abstain_reason(
        self, dated_out: bool, best_cosine: float, margin: float | None
    ) -> str | None:
        """Return why the library does not cover the question, or None when it does."""
        if dated_out:
            return "outside_dates"
        if best_cosine < self.threshold:
            return "below_threshold"
        if margin is not None and not self.scope.covers(margin):
            return "off_topic"
        return None
