"""Turn a question into a grounded, cited answer: retrieve, read, decide, compose, cite."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from bot.answers.answer_types import Answer
from bot.answers.citing import answered, cite
from bot.answers.composing import compose
from bot.answers.deciding import CoverageJudge, Decline, decide, declined
from bot.answers.query import Query, make_query
from bot.answers.reading import PassageReader, read
from bot.answers.retrieval import retrieve
from bot.answers.reviewed import CorrectionLike, ReviewedAnswers
from bot.answers.scope import ScopeGuard
from bot.answers.sentences import SentencePicker
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning
from bot.answers.writing import Generator, write
from index.embedders.base import Embedder
from index.search import Searcher


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
        self.sentences = sentences
        self.reviewed = ReviewedAnswers(embedder, corrections, tuning)
        self.judge = CoverageJudge(embedder, threshold, scope_margin, tuning)
        self._picker = picker or SentencePicker(embedder, tuning=tuning)
        self.generator = generator
        self.reader = reader
        self.support_sentences = support_sentences
        self.reader_declines = reader_declines

    @property
    def threshold(self) -> float:
        """The best-passage cosine below which a question is declined."""
        return self.judge.threshold

    @property
    def scope(self) -> ScopeGuard:
        return self.judge.scope

    def answer(
        self,
        question: str,
        *,
        language_hint: str | None = None,
        track: str | None = None,
        prefer: Sequence[str] = (),
        focus: str | None = None,
        frame: str | None = None,
        later: bool = False,
    ) -> Answer:
        """Answer one question (already checked to be non-empty and short enough).

        `track` (an id or name) makes it a question about that negotiation track's current state;
        an unknown one raises UnknownTrack. `prefer` names articles to favour (those a
        conversation already cited); `focus`, a follow-up's own words, picks the sentences;
        `frame`, the kind of fact a bare follow-up borrows from the question before it ("and the
        bodies?" after "how many prisoners…?": a number), favours sentences that carry one;
        `later` also searches the reports published after the preferred articles.
        """
        started = time.perf_counter()
        query = make_query(
            self.embedder,
            question,
            language_hint=language_hint,
            track=track,
            prefer=prefer,
            focus=focus,
            frame=frame,
            later=later,
        )
        reviewed = None if track else self.reviewed.match(query)
        answer = reviewed or self._from_library(query)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _from_library(self, query: Query) -> Answer:
        """Retrieve, read, decide, compose and cite, in that order."""
        searcher = self._searcher()
        found = retrieve(searcher, query, self.tuning)
        coverage = self.judge.judge(query, found)
        # Reading costs the most of any stage: a question the library does not cover skips it,
        # and a generative model reads the passages itself.
        reader = None if not coverage.covered or self.generator else self.reader
        reading = read(
            reader,
            query,
            found.passages,
            count=self.tuning.read_passages,
            declines=self.reader_declines,
        )
        decline = decide(query, found, coverage, reading)
        if decline is not None:
            return declined(query, decline, found, coverage)
        composition = compose(
            self._picker,
            query,
            found,
            reading,
            passages=self.tuning.sentence_chunks,
            count=self.sentences,
            support=self.support_sentences,
            stored=searcher.stored_sentence_vectors,
        )
        cited = write(self.generator, query, cite(composition, found, query))
        if isinstance(cited, Decline):
            return declined(query, cited, found, coverage)
        return answered(query, found, coverage, composition, cited)
