"""Negobot, the service behind every front end: index + answerer + log store, hot-swappable."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from bot import i18n, metrics
from bot.answers.answer_types import Answer
from bot.answers.answerer import Answerer
from bot.answers.track_status import track_ranges, track_status, tracks_overview
from bot.config import Settings
from bot.conversation import (
    ConversationKey,
    ConversationMemory,
    answer_understood,
    remember,
    understand,
)
from bot.ingesting import run_ingest
from bot.logstore.store import LogStore
from bot.profile import activate, load_profile
from bot.service import FeedbackKind, FrontEnd, QuestionError, checked_question
from index.embedders.base import Embedder, set_threads
from index.embedders.registry import load_embedder
from index.search import Searcher
from index.store import ArticleEntry, IndexStoreError, current_generation
from index.track_catalog import TrackCatalog

log = logging.getLogger(__name__)


def user_key_secret(settings: Settings) -> str:
    """Return the secret for pseudonymous user keys, creating and keeping one if none is set."""
    if settings.user_key_secret is not None:
        return settings.user_key_secret.get_secret_value()
    path = settings.index_dir.parent / ".user_key_secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    path.write_text(secret + "\n", encoding="utf-8")
    path.chmod(0o600)
    return secret


class Negobot:
    """Answers, logs and describes; reloads the index when a new generation is published."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        log_store: LogStore | None = None,
    ) -> None:
        self.settings = settings
        activate(load_profile(settings.profile))
        if embedder is None:
            set_threads(settings.query_threads)
            embedder = load_embedder(settings.embedding_model)
        self.embedder = embedder
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._generation: Path | None = None
        self.reload_index()
        if log_store is None:
            log_store = LogStore(
                settings.database_url,
                user_key_secret=user_key_secret(settings),
                store_raw_user_ids=settings.store_raw_user_ids,
            )
        self.log_store = log_store
        self.conversations = ConversationMemory(
            settings.conversation_turns, settings.conversation_quiet_minutes * 60
        )
        generator = None
        if settings.llm_base_url:
            from bot.answers.generative import ChatCompletionsGenerator

            generator = ChatCompletionsGenerator.from_settings(settings)
        reader = None
        if settings.reader:
            from bot.reader.model import MODEL_DIR, Reader

            reader = Reader.load(
                settings.reader_model or MODEL_DIR,
                threads=settings.query_threads,
                threshold=settings.reader_threshold,
            )
        self.answerer = Answerer(
            self.searcher,
            embedder,
            threshold=settings.abstain_threshold,
            scope_margin=settings.scope_margin,
            sentences=settings.answer_sentences,
            corrections=self.log_store.approved_corrections,
            generator=generator,
            reader=reader,
            support_sentences=settings.reader_support_sentences,
            reader_declines=settings.reader_declines,
            tuning=settings.answer_tuning(),
        )

    def reload_index(self) -> bool:
        """Load the index generation CURRENT names, if it changed; return whether it did."""
        generation = current_generation(self.settings.index_dir)
        if generation is None:
            raise IndexStoreError(
                f"no index in {self.settings.index_dir}: run `negobot ingest data/articles` first"
            )
        if generation == self._generation:
            return False
        searcher = Searcher.open(self.settings.index_dir, self.embedder)
        with self._lock:
            self._searcher, self._generation = searcher, generation
        log.info("serving index %s", searcher.version)
        if self.settings.sentence_vectors and searcher.snapshot.sentence_vectors is None:
            log.warning(
                "index %s has no sentence vectors (an older version wrote it): searching "
                "passage vectors only until `negobot ingest` adds them",
                searcher.version,
            )
        return True

    def searcher(self) -> Searcher:
        """Return the current searcher, switching to a newer index generation first if published."""
        try:
            self.reload_index()
        except IndexStoreError as error:
            log.warning("keeping the loaded index: %s", error)
        assert self._searcher is not None
        return self._searcher

    @property
    def loaded_version(self) -> str:
        """Return the loaded index generation's version, without looking for a newer one."""
        assert self._searcher is not None
        return self._searcher.version

    def check_question(
        self, question: str, language: str, *, front_end: FrontEnd = "telegram"
    ) -> str:
        """Return the question stripped, or log the refusal and raise QuestionError."""
        try:
            return checked_question(question, language, max_chars=self.settings.max_question_chars)
        except QuestionError as error:
            # Moderators see refused questions too: a limit that is too tight shows up there.
            self.log_store.log_refused(
                question, error.reason, str(error), front_end=front_end, language=language
            )
            raise

    def ask(
        self,
        question: str,
        *,
        front_end: FrontEnd,
        chat_id: int | None = None,
        chat_type: str | None = None,
        user_id: int | None = None,
        user_language: str | None = None,
        track: str | None = None,
        conversation: ConversationKey | None = None,
        reply_to: str | None = None,
    ) -> Answer:
        """Answer a question and log it; the answer's `log_id` identifies the log row.

        `track` makes it a question about that negotiation track's current state. A follow-up is
        read in the light of the `conversation`'s last turn, or of the answer logged as
        `reply_to` when it replies to one.
        """
        question = self.check_question(
            question, i18n.pick_language(user_language), front_end=front_end
        )
        understood = understand(question, self.conversations, conversation, reply_to=reply_to)
        answer = answer_understood(self.answerer, understood, user_language, track=track)
        metrics.record_answer(answer, front_end)
        self.log_store.log_answer(
            answer,
            front_end=front_end,
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
            model=self.embedder.name,
            index_version=self.loaded_version,
        )
        remember(self.conversations, conversation, understood, answer)
        return answer

    def feedback(self, answer_uid: str, kind: FeedbackKind, *, user_id: int | None) -> None:
        """Record a helpful / not helpful / report press against a logged answer."""
        self.log_store.log_feedback(answer_uid, kind, user_id=user_id)

    def report_note(self, answer_uid: str, note: str, *, user_id: int | None) -> None:
        """Keep what a person says is wrong with an answer they reported."""
        self.log_store.log_report_note(answer_uid, note, user_id=user_id)

    def status(
        self, language: str, *, track: str | None = None, front_end: FrontEnd = "telegram"
    ) -> Answer:
        """Answer 'where do the talks stand now' for one track, or list the tracks.

        Without `track` and with several tracks in the library, the answer lists them; with one,
        it is that track's latest, under its line. Always read from the newest generation.
        """
        return track_status(self, language, track=track, front_end=front_end)

    def track_catalog(self) -> TrackCatalog:
        """Return the negotiation tracks of the newest index generation."""
        return self.searcher().tracks

    def tracks_summary(self, language: str) -> str:
        """List the negotiation tracks, each with its newest report's date and title."""
        return tracks_overview(self.searcher().tracks.tracks(), language)

    def sources_summary(self, language: str) -> str:
        """Describe which outlets, tracks and date ranges the index covers."""
        searcher = self.searcher()
        summary = self._outlets_summary(searcher.snapshot.articles.values(), language)
        ranges = track_ranges(searcher.tracks.tracks(), language)
        return f"{summary}\n\n{ranges}" if ranges else summary

    def _outlets_summary(self, articles: Iterable[ArticleEntry], language: str) -> str:
        """Describe which outlets and which date range the articles cover."""
        articles = list(articles)
        if not articles:
            return i18n.text(language, "empty_library")
        dates = sorted(entry.published for entry in articles)
        outlets = Counter(entry.source for entry in articles)
        first = i18n.format_date(datetime.fromisoformat(dates[0]).date(), language)
        last = i18n.format_date(datetime.fromisoformat(dates[-1]).date(), language)
        lines = [
            i18n.text(
                language,
                "sources_summary",
                articles=len(articles),
                outlets=len(outlets),
                first=first,
                last=last,
            )
        ]
        lines += [f"• {source} ({count})" for source, count in outlets.most_common()]
        return "\n".join(lines)

    def stats_summary(self, language: str) -> str:
        """Questions today, abstentions and helpful ratio."""
        midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        stats = self.log_store.stats(since=midnight)
        return i18n.text(
            language,
            "stats",
            questions=stats.questions,
            abstained=stats.abstained,
            helpful=stats.helpful,
            not_helpful=stats.not_helpful,
            reported=stats.reported,
        )

    def reindex(self) -> str:
        """Ingest new articles from the articles folder and swap the new index in."""
        report = run_ingest(
            self.settings, [str(self.settings.articles_dir)], embedder=self.embedder
        )
        self.reload_index()
        return report.summary()

    def close(self) -> None:
        """Flush and close the log store."""
        self.log_store.close()

    def warm_up(self) -> None:
        """Load everything that loads lazily, so the first real question is not slow."""
        self.answerer.answer(i18n.text("en", "status_question"))


def build_service(settings: Settings) -> Negobot:
    """Build the service the front ends use, from settings, ready to answer."""
    service = Negobot(settings)
    service.warm_up()
    return service
