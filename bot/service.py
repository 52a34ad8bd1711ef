"""The one entry point every front end uses: ask, give feedback, describe the library."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from bot import i18n
from bot.answers.answer_types import Answer
from bot.conversation.followups import has_words
from bot.conversation.memory import ConversationKey

FeedbackKind = Literal["helpful", "not_helpful", "report"]
FrontEnd = Literal["telegram", "inline", "chat", "cli", "api"]


class QuestionError(ValueError):
    """A question that cannot be answered as asked (empty, too long); the message says why."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason  # "empty" or "too_long", as logged for moderators


def checked_question(question: str, language: str, *, max_chars: int) -> str:
    """Return the question stripped, or raise QuestionError with a message in `language`."""
    stripped = question.strip()
    # Emoji or "???" alone ask nothing that could be looked up.
    if not stripped or not has_words(stripped):
        raise QuestionError(i18n.text(language, "empty_question"), "empty")
    if len(stripped) > max_chars:
        message = i18n.text(language, "too_long", length=len(stripped), limit=max_chars)
        raise QuestionError(message, "too_long")
    return stripped


class NamedTrack(Protocol):
    """A negotiation track as front ends show it: its id and its name in a language."""

    @property
    def id(self) -> str: ...

    def name(self, language: str = "en") -> str: ...


class TrackLookup(Protocol):
    """The library's tracks: all of them, one by id, or the one some words name."""

    def tracks(self) -> Sequence[NamedTrack]: ...

    def get(self, track_id: str) -> NamedTrack | None: ...

    def find(self, words: str) -> NamedTrack | None: ...


class Service(Protocol):
    """What the Telegram bot, the local chat and the CLI need from negobot."""

    def check_question(self, question: str, language: str) -> str:
        """Return the question stripped, or raise QuestionError with a message in `language`."""
        ...

    def ask(
        self,
        question: str,
        *,
        front_end: FrontEnd,
        chat_id: int | None = None,
        chat_type: str | None = None,
        user_id: int | None = None,
        user_language: str | None = None,
        conversation: ConversationKey | None = None,
        reply_to: str | None = None,
    ) -> Answer:
        """Answer a question and log it; the answer's `log_id` identifies the log row.

        A follow-up is read against the `conversation`'s last turn, or the answer it replies to.
        """
        ...

    def feedback(self, answer_uid: str, kind: FeedbackKind, *, user_id: int | None) -> None:
        """Record a helpful / not helpful / report press against a logged answer."""
        ...

    def report_note(self, answer_uid: str, note: str, *, user_id: int | None) -> None:
        """Keep what a person says is wrong with an answer they reported."""
        ...

    def status(
        self, language: str, *, track: str | None = None, front_end: FrontEnd = "telegram"
    ) -> Answer:
        """List the negotiation tracks, or answer where one stands now from its newest report."""
        ...

    def track_catalog(self) -> TrackLookup:
        """Return the negotiation tracks of the newest index generation."""
        ...

    def sources_summary(self, language: str) -> str:
        """Describe which outlets, tracks and date ranges the index covers (plain text)."""
        ...

    def stats_summary(self, language: str) -> str:
        """Questions today, abstentions and helpful ratio (plain text, for admins)."""
        ...

    def reindex(self) -> str:
        """Ingest new articles from the articles folder and swap the index in; return a summary."""
        ...
