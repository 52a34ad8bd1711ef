"""What every handler shares: the dependencies on the application, the message, the language."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.alerts.database import AlertDatabase
from bot.config import Settings
from bot.i18n import pick_language
from bot.service import Service
from bot.telegram.ratelimit import SlidingWindowRateLimiter

DEPS_KEY = "negobot"
REMEMBERED_MESSAGES = 20_000
T = TypeVar("T")


@dataclass
class BotDeps:
    """What every handler needs: settings, the answering service and shared per-bot state."""

    settings: Settings
    service: Service
    limiter: SlidingWindowRateLimiter
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The feedback each person gave on each answer: (answer uid, user id, vote|report) -> kind.
    pressed_answers: OrderedDict[tuple[str, int | None, str], str] = field(
        default_factory=OrderedDict
    )
    # The answers the bot sent: (chat id, message id) -> the answer's log uid, for replies.
    answer_messages: OrderedDict[tuple[int, int], str] = field(default_factory=OrderedDict)
    # "What is wrong?" prompts sent: (chat id, message id) -> (answer uid, reporter's user id).
    report_prompts: OrderedDict[tuple[int, int], tuple[str, int]] = field(
        default_factory=OrderedDict
    )

    # Subscriptions and the alert outbox, in the log database (opened on first use).
    alert_db: AlertDatabase | None = None

    def alerts(self) -> AlertDatabase:
        """Return the subscriptions database, opening it on first use."""
        if self.alert_db is None:
            self.alert_db = AlertDatabase(self.settings.database_url)
        return self.alert_db

    def alerts_call(self, call: Callable[..., T], **values: object) -> T:
        """Run one subscriptions CRUD function in its own session (blocking: use a thread)."""
        with self.alerts().session() as session:
            return call(session=session, **values)

    def remember_answer_message(self, chat_id: int, message_id: int, log_id: str) -> None:
        """Keep which answer a sent message carries, so a reply to it is read in its light."""
        self.answer_messages[(chat_id, message_id)] = log_id
        while len(self.answer_messages) > REMEMBERED_MESSAGES:
            self.answer_messages.popitem(last=False)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_user_ids


def deps(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    """Return the shared handler dependencies stored on the application."""
    return context.bot_data[DEPS_KEY]


def message_of(update: Update) -> Message:
    """Return the update's message (handlers are registered only for updates that have one)."""
    message = update.effective_message
    if message is None:
        raise ValueError(f"update {update.update_id} carries no message")
    return message


def ui_language(update: Update) -> str:
    """Return the user's interface language: en, uk or ru."""
    user = update.effective_user
    return pick_language(user.language_code if user else None)
