"""Decide: whether the library covers a question, and whether what was read answers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import i18n
from bot.answers.answer_types import Answer
from bot.answers.party_pairs import parties_outside
from bot.answers.query import Query
from bot.answers.questions import outside_coverage
from bot.answers.reading import Reading
from bot.answers.retrieval import Retrieval
from bot.answers.scope import ScopeGuard
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from index.documents import Chunk
from index.embedders.base import Embedder
from index.embedders.registry import weights_of


@dataclass(frozen=True)
class Coverage:
    """How close the library comes to a question, and why it does not cover it (None if it does)."""

    best_cosine: float
    margin: float | None  # the scope margin (bot/answers/scope.py); None where the model has none
    reason: str | None  # outside_dates, below_threshold, off_topic, or None

    @property
    def covered(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Decline:
    """Why an answer declines, and what it says instead."""

    reason: str  # one of Coverage's reasons, or no_answer_found
    text: str
    mode: str = "extractive"


class CoverageJudge:
    """Judges whether a question lies inside the library, by its dates, cosine and scope margin."""

    def __init__(
        self,
        embedder: Embedder,
        threshold: float | None = None,
        scope_margin: float | None = None,
        tuning: AnswerTuning = ANSWER_TUNING,
    ) -> None:
        self.threshold = (
            threshold
            if threshold is not None
            else tuning.calibrated_thresholds.get(
                weights_of(embedder.name), tuning.default_threshold
            )
        )
        self.scope = ScopeGuard(embedder, scope_margin, tuning)

    def judge(self, query: Query, retrieval: Retrieval) -> Coverage:
        """Return how close the library comes to the question and whether it covers it."""
        best = retrieval.best_cosine
        margin = (
            self.scope.margin(query.vector, best, retrieval.held_parties)
            if self.scope.active
            else None
        )
        # A track asked for by name is one the library holds: its latest is never "not covered".
        if query.track is not None:
            return Coverage(best, margin, None)
        return Coverage(best, margin, self._reason(query, retrieval, best, margin))

    def _reason(
        self, query: Query, retrieval: Retrieval, best: float, margin: float | None
    ) -> str | None:
        dated_out = outside_coverage(
            query.text,
            retrieval.period,
            retrieval.oldest,
            retrieval.newest,
            asks_about_now=query.status,
        )
        if dated_out:
            return "outside_dates"
        if best < self.threshold:
            return "below_threshold"
        # Two parties no report names together (a relation the library does not report on), or
        # talks of a party no report names at all (a negotiation the library does not hold).
        outside = parties_outside(
            query.text, retrieval.reported_parties, every_party=retrieval.every_reported_party
        )
        if outside is not None:
            return "off_topic"
        if margin is not None and not self.scope.covers(margin):
            return "off_topic"
        return None


def decide(
    query: Query, retrieval: Retrieval, coverage: Coverage, reading: Reading | None
) -> Decline | None:
    """Return why the answer declines, or None to answer: uncovered, or read and not answered."""
    language = query.language
    if coverage.reason == "outside_dates":
        text = no_answer_text(language, retrieval.oldest, retrieval.newest)
        return Decline(coverage.reason, text)
    if coverage.reason is not None:
        return Decline(coverage.reason, no_answer_text(language))
    if reading is not None and not reading.findings:
        closest = retrieval.passages[0].chunk
        return Decline("no_answer_found", not_in_reports_text(language, closest))
    return None


def declined(query: Query, decline: Decline, retrieval: Retrieval, coverage: Coverage) -> Answer:
    """Return an abstaining answer that keeps what was retrieved, for the review desk."""
    return Answer(
        question=query.text,
        text=decline.text,
        language=query.language,
        abstained=True,
        retrieved=retrieval.rows(),
        scope_margin=coverage.margin,
        mode=decline.mode,
        abstain_reason=decline.reason,
    )


def no_answer_text(language: str, oldest: date | None = None, newest: date | None = None) -> str:
    """Say the library does not answer; name the dates it covers when both are given."""
    text = i18n.text(language, "no_answer")
    if oldest and newest:
        span = i18n.text(
            language,
            "coverage",
            first=i18n.format_date(oldest, language),
            last=i18n.format_date(newest, language),
        )
        text = f"{text} {span}"
    return text


def not_in_reports_text(language: str, closest: Chunk) -> str:
    """Say the reports do not give the detail asked for, naming the closest one."""
    return i18n.text(
        language,
        "not_in_reports",
        title=closest.title,
        source=closest.source,
        date=i18n.format_date(closest.published, language),
    )
