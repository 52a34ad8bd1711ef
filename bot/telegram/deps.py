"""What every handler shares: the dependencies on the application, the message, the language."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.i18n import pick_language
from bot.service import Service
from bot.telegram.ratelimit import SlidingWindowRateLimiter

DEPS_KEY = "negobot"


@dataclass
class BotDeps:
    """What every handler needs: settings, the answering service and shared per-bot state."""

    settings: Settings
    service: Service
    limiter: SlidingWindowRateLimiter
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pressed_answers: OrderedDict[str, None] = field(default_factory=OrderedDict)

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
