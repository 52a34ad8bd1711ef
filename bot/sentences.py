"""Pick the sentences of the retrieved passages that answer a question, best first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot import i18n
from bot.questions import answer_type, numbers_in, ordinal_bonus, ordinals_in, type_bonus
from index.documents import Chunk, SearchHit
from index.embedding import Embedder
from index.keyword import tokenize
from index.sentence_vectors import sentence_texts

# Share of words two sentences need in common to count as one statement told twice.
NEAR_DUPLICATE = 0.6
SENTENCES_EMBEDDED = 14
SENTENCE_CACHE_SIZE = 50_000  # ~75 MB of 384-dimension vectors
# Sentences from the best-ranked passages are preferred: answers should come from the article
# that matched, not from the opening lines of others on the same subject.
RANK_PRIOR = 0.3
COHERENCE = 0.35
# An article's opening sentence sets the scene and resembles every question about the event; when a
# specific fact is asked for (who, how many, how long ...) it should not crowd out the sentence
# that states it.
LEAD_PENALTY = 0.1
# Weight of the share of question words a sentence repeats.
OVERLAP_WEIGHT = 0.2


@dataclass
class Candidate:
    """A sentence that might go into the answer, with where it came from."""

    text: str
    chunk: Chunk
    score: float
    note: str = ""


class SentencePicker:
    """Scores candidate sentences against a question; sentence vectors are cached across answers."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
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
    ) -> list[Candidate]:
        """Return up to `count` sentences of the hits that best answer the question, best first.

        `stored` maps embedded sentence texts to the vectors ingest already made for them; only
        the others are embedded now.
        """
        question_terms = set(tokenize(question))
        wanted = answer_type(question)
        asked_ordinals = ordinals_in(question)
        newest = max(hit.chunk.published for hit in hits)
        pool: list[tuple[str, Chunk, float]] = []
        context: dict[str, str] = {}
        for rank, hit in enumerate(hits):
            # A pronoun-led sentence is embedded with the one before it (see sentence_texts).
            for index, (sentence, embedded) in enumerate(sentence_texts(hit.chunk.text)):
                if embedded != sentence:
                    context[sentence] = embedded
                if len(sentence.split()) < 5:
                    continue
                terms = set(tokenize(sentence))
                overlap = len(question_terms & terms) / len(question_terms) if question_terms else 0
                prior = RANK_PRIOR / (rank + 1) + OVERLAP_WEIGHT * overlap
                prior += type_bonus(wanted, sentence, question)
                prior += ordinal_bonus(asked_ordinals, sentence)
                if wanted is not None and hit.chunk.position == 0 and index == 0:
                    prior -= LEAD_PENALTY
                if status:
                    prior += 0.3 * freshness(hit.chunk.published, newest)
                pool.append((sentence, hit.chunk, prior))
        if not pool:
            return []
        # Overlapping chunks repeat sentences: keep each sentence once, with its best prior.
        best_prior: dict[str, tuple[str, Chunk, float]] = {}
        for item in pool:
            if item[0] not in best_prior or item[2] > best_prior[item[0]][2]:
                best_prior[item[0]] = item
        pool = list(best_prior.values())
        # Embedding every sentence is the slow part of answering: only the likeliest are embedded.
        pool.sort(key=lambda item: -item[2])
        pool = pool[:SENTENCES_EMBEDDED]
        vectors = self._vectors(
            [context.get(sentence, sentence) for sentence, _, _ in pool], stored or {}
        )
        similarity = vectors @ query_vector
        # Models differ in where their cosines sit (e5's all lie in a narrow high band): rescale
        # within the pool so the priors weigh the same whatever the model.
        spread = float(similarity.max() - similarity.min()) or 1.0
        relevance = (similarity - similarity.min()) / spread
        candidates = [
            Candidate(sentence, chunk, float(score) + prior)
            for (sentence, chunk, prior), score in zip(pool, relevance, strict=True)
        ]
        candidates.sort(key=lambda c: -c.score)
        return _pick_distinct(candidates, count, language)

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
                while len(self._cache) > SENTENCE_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.vstack([found[sentence] for sentence in sentences])


def _pick_distinct(candidates: list[Candidate], wanted: int, language: str) -> list[Candidate]:
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
        return candidate.score + (COHERENCE if same_article else 0.0)

    candidates = [best, *sorted(candidates[1:], key=with_coherence, reverse=True)]
    chosen: list[Candidate] = []
    for candidate in candidates:
        twin = next((c for c in chosen if _same_statement(c.text, candidate.text)), None)
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


def _same_statement(first: str, second: str) -> bool:
    """Return whether two sentences say the same thing, perhaps with other numbers."""
    words_first = {t for t in tokenize(first) if not t.isdigit()}
    words_second = {t for t in tokenize(second) if not t.isdigit()}
    if not words_first or not words_second:
        return False
    shared = len(words_first & words_second) / len(words_first | words_second)
    return shared >= NEAR_DUPLICATE


def freshness(published: date, newest: date) -> float:
    """1.0 for the newest reporting, halving every 30 days before it."""
    age = (newest - published).days
    return float(0.5 ** (age / 30))
