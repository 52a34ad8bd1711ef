"""Pick the sentences of the retrieved passages that answer a question, best first."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot import i18n
from bot.answers.fact_kinds import answer_type, carries_answer_type
from bot.answers.questions import numbers_in, ordinal_agreement, ordinals_in
from bot.answers.tuning import ANSWER_TUNING, AnswerTuning, PickerWeights
from index.documents import Chunk, SearchHit
from index.embedders.base import Embedder
from index.keyword import tokenize
from index.sentence_vectors import sentence_texts


@dataclass
class Candidate:
    """A sentence that might go into the answer, with where it came from."""

    text: str
    chunk: Chunk
    score: float
    note: str = ""


@dataclass(frozen=True)
class Clues:
    """What is known of a candidate sentence before its similarity to the question."""

    text: str
    embedded: str  # the text its vector is made from (with the sentence before, if pronoun-led)
    chunk: Chunk
    rank: int  # of its passage among the hits, from 0
    answer_type: bool
    ordinal: int
    lead: bool
    freshness: float  # 0.0 unless the question asks about now

    def prior(self, weights: PickerWeights) -> float:
        return (
            weights.rank_prior / (self.rank + 1)
            + weights.answer_type * self.answer_type
            + weights.ordinal * self.ordinal
            - weights.lead_penalty * self.lead
            + weights.freshness * self.freshness
        )


class SentencePicker:
    """Scores candidate sentences against a question; sentence vectors are cached across answers."""

    def __init__(
        self,
        embedder: Embedder,
        weights: PickerWeights | None = None,
        *,
        tuning: AnswerTuning = ANSWER_TUNING,
    ) -> None:
        self.embedder = embedder
        self.weights = weights or tuning.picker
        self.tuning = tuning
        self.cache_size = tuning.sentence_cache_size
        # Popular questions hit the same passages: their sentences are embedded once.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def choose(
        self,
        question: str,
        query_vector: np.ndarray,
        hits: list[SearchHit],
        *,
        status: bool,
        language: str,
        count: int,
        stored: dict[str, np.ndarray] | None = None,
        frame: str | None = None,
    ) -> list[Candidate]:
        """Return up to `count` sentences of the hits that best answer the question, best first.

        `stored` maps embedded sentence texts to the vectors ingest already made for them; only
        the others are embedded now. `frame` is the kind of fact wanted when the question's
        words do not say it.
        """
        pool = candidate_clues(question, hits, status=status, tuning=self.tuning, frame=frame)
        if not pool:
            return []
        return self._choose_among(pool, query_vector, stored or {}, count, language)

    def _choose_among(
        self,
        pool: list[Clues],
        query_vector: np.ndarray,
        stored: dict[str, np.ndarray],
        count: int,
        language: str,
    ) -> list[Candidate]:
        """Score the likeliest of a non-empty pool against the question and pick from them."""
        # Embedding every sentence is the slow part of answering when ingest stored no vectors.
        pool = [pool[i] for i in shortlist(pool, self.weights)]
        vectors = self._vectors([clues.embedded for clues in pool], stored)
        similarity = vectors @ query_vector
        return pick(
            pool,
            similarity,
            self.weights,
            count,
            language,
            near_duplicate=self.tuning.near_duplicate,
        )

    def _vectors(self, sentences: list[str], stored: dict[str, np.ndarray]) -> np.ndarray:
        """Embed sentences, reusing stored vectors and those seen in earlier answers."""
        found: dict[str, np.ndarray] = {
            sentence: stored[sentence] for sentence in sentences if sentence in stored
        }
        with self._lock:
            for sentence in dict.fromkeys(sentences):
                if sentence not in found and sentence in self._cache:
                    self._cache.move_to_end(sentence)
                    found[sentence] = self._cache[sentence]
        missing = [sentence for sentence in dict.fromkeys(sentences) if sentence not in found]
        if missing:
            fresh = dict(zip(missing, self.embedder.encode(missing, kind="passage"), strict=True))
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return np.vstack([found[sentence] for sentence in sentences])


def candidate_clues(
    question: str,
    hits: list[SearchHit],
    *,
    status: bool,
    tuning: AnswerTuning = ANSWER_TUNING,
    frame: str | None = None,
) -> list[Clues]:
    """Return each sentence of the hits once (with its best-ranked passage), and its clues.

    The kind of fact wanted is the question's own, else its `frame` (borrowed from the question
    a bare follow-up leans on).
    """
    wanted = answer_type(question) or frame
    asked_ordinals = ordinals_in(question)
    newest = max(hit.chunk.published for hit in hits) if hits else None
    found: dict[str, Clues] = {}
    for rank, hit in enumerate(hits):
        for index, (sentence, embedded) in enumerate(sentence_texts(hit.chunk.text)):
            # Overlapping chunks repeat sentences: the first, best-ranked, is kept.
            if len(sentence.split()) < tuning.min_sentence_words or sentence in found:
                continue
            found[sentence] = Clues(
                text=sentence,
                embedded=embedded,
                chunk=hit.chunk,
                rank=rank,
                answer_type=carries_answer_type(wanted, sentence, question),
                ordinal=ordinal_agreement(asked_ordinals, sentence),
                lead=wanted is not None and hit.chunk.position == 0 and index == 0,
                freshness=(
                    freshness(hit.chunk.published, newest, tuning.freshness_half_life_days)
                    if status and newest
                    else 0.0
                ),
            )
    return list(found.values())


def shortlist(pool: list[Clues], weights: PickerWeights) -> list[int]:
    """Return the positions of the pool's likeliest sentences by their prior, best first."""
    order = sorted(range(len(pool)), key=lambda i: -pool[i].prior(weights))
    return order[: weights.scored]


def pick(
    pool: list[Clues],
    similarity: np.ndarray,
    weights: PickerWeights,
    count: int,
    language: str,
    *,
    near_duplicate: float = ANSWER_TUNING.near_duplicate,
) -> list[Candidate]:
    """Score the pool (clues plus similarity to the question) and take the best distinct ones.

    Sentences sharing `near_duplicate` of their words count as one statement told twice.
    """
    # Models differ in where their cosines sit (e5's all lie in a narrow high band): rescale
    # within the pool so the clues weigh the same whatever the model.
    spread = float(similarity.max() - similarity.min()) or 1.0
    relevance = (similarity - similarity.min()) / spread
    candidates = [
        Candidate(clues.text, clues.chunk, float(score) + clues.prior(weights))
        for clues, score in zip(pool, relevance, strict=True)
    ]
    candidates.sort(key=lambda c: -c.score)
    return _pick_distinct(candidates, count, language, weights.coherence, near_duplicate)


def _pick_distinct(
    candidates: list[Candidate], wanted: int, language: str, coherence: float, share: float
) -> list[Candidate]:
    """Take the best sentences, skipping near-repeats; a newer report with other numbers wins.

    After the best sentence, the rest of its article is preferred: the sentences around a fact
    usually carry the details asked for (who led, how many), where other articles' opening lines
    only restate the subject.
    """
    if not candidates:
        return []
    best = candidates[0]

    def with_coherence(candidate: Candidate) -> float:
        same_article = candidate.chunk.article_id == best.chunk.article_id
        return candidate.score + (coherence if same_article else 0.0)

    candidates = [best, *sorted(candidates[1:], key=with_coherence, reverse=True)]
    chosen: list[Candidate] = []
    for candidate in candidates:
        twin = next((c for c in chosen if same_statement(c.text, candidate.text, share)), None)
        if twin is None:
            if len(chosen) < wanted:
                chosen.append(candidate)
            continue
        newer = candidate.chunk.published > twin.chunk.published
        if newer and numbers_in(candidate.text) != numbers_in(twin.text):
            candidate.note = i18n.text(
                language, "reported_on", date=i18n.format_date(candidate.chunk.published, language)
            )
            chosen[chosen.index(twin)] = candidate
    return chosen


# Answers to popular questions, and bench/tune_picker.py's re-picks, compare the same pairs.
@functools.lru_cache(maxsize=100_000)
def same_statement(first: str, second: str, share: float = ANSWER_TUNING.near_duplicate) -> bool:
    """Return whether two sentences share `share` of their words, numbers aside."""
    words_first = {t for t in tokenize(first) if not t.isdigit()}
    words_second = {t for t in tokenize(second) if not t.isdigit()}
    if not words_first or not words_second:
        return False
    shared = len(words_first & words_second) / len(words_first | words_second)
    return shared >= share


def freshness(
    published: date, newest: date, half_life_days: int = ANSWER_TUNING.freshness_half_life_days
) -> float:
    """1.0 for the newest reporting, halving every `half_life_days` before it."""
    age = (newest - published).days
    return float(0.5 ** (age / half_life_days))
