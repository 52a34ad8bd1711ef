"""A bounded, expiring memory of each conversation's last turns, and of answers by their log id."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.answers.tuning import CONVERSATION_TUNING


@dataclass(frozen=True)
class Turn:
    """One question and its answer: what was asked, what it was taken to mean, what it cited."""

    question: str
    resolved: str  # the question as answered: with the subject it was taken to be about
    subject: str  # what the conversation is about (the last question that stood on its own)
    articles: tuple[str, ...]  # article ids the answer cited, best first
    answered: bool
    log_id: str | None = None
    at: float = 0.0
    frame: str | None = None  # the kind of fact asked for (date, number, person…), if any


ConversationKey = Hashable


def conversation_key(
    chat_id: int | None, chat_type: str | None, user_id: int | None, thread_id: int | None = None
) -> ConversationKey:
    """Return whose conversation a message belongs to.

    A private chat is one conversation; in a group each member has their own, per reply thread
    (forum topic), so two people asking at once never answer each other's follow-ups.
    """
    if chat_type in (None, "private"):
        return ("chat", chat_id)
    return ("group", chat_id, user_id, thread_id)


class ConversationMemory:
    """The last `turns` turns per conversation, forgotten after `quiet_seconds` without one."""

    def __init__(
        self,
        turns: int = 5,
        quiet_seconds: float = 30 * 60,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.turns = turns
        self.quiet_seconds = quiet_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._conversations: OrderedDict[ConversationKey, deque[Turn]] = OrderedDict()
        self._answers: OrderedDict[str, Turn] = OrderedDict()

    def recent(self, key: ConversationKey) -> list[Turn]:
        """Return the conversation's remembered turns, oldest first (none after a quiet spell)."""
        with self._lock:
            self._forget_quiet()
            return list(self._conversations.get(key, ()))

    def answer(self, log_id: str | None) -> Turn | None:
        """Return the turn whose answer was logged as `log_id`, if it is still remembered."""
        if not log_id:
            return None
        with self._lock:
            self._forget_quiet()
            return self._answers.get(log_id)

    def remember(self, key: ConversationKey, turn: Turn) -> None:
        """Add a turn to the conversation, dropping its oldest beyond the bound."""
        if self.turns <= 0:
            return
        with self._lock:
            turn = Turn(**{**turn.__dict__, "at": self._clock()})
            history = self._conversations.pop(key, None) or deque(maxlen=self.turns)
            history.append(turn)
            self._conversations[key] = history  # most recently active last
            if turn.log_id:
                self._answers[turn.log_id] = turn
                self._answers.move_to_end(turn.log_id)
                while len(self._answers) > CONVERSATION_TUNING.remembered_answers:
                    self._answers.popitem(last=False)
            self._forget_quiet()

    def forget(self, key: ConversationKey) -> None:
        """Drop a conversation (a new subject asked for, say)."""
        with self._lock:
            self._conversations.pop(key, None)

    def _forget_quiet(self) -> None:
        # Conversations are ordered by last activity, so the quiet ones are at the front.
        cutoff = self._clock() - self.quiet_seconds
        while self._conversations:
            key, history = next(iter(self._conversations.items()))
            if history and history[-1].at > cutoff:
                break
            del self._conversations[key]
        while self._answers:
            log_id, turn = next(iter(self._answers.items()))
            if turn.at > cutoff:
                break
            del self._answers[log_id]
