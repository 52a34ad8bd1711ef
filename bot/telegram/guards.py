"""Handlers around all the others: the allowed-chats gate and the error handler."""

from __future__ import annotations

import logging
import traceback

from telegram import Chat, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import text
from bot.telegram.deps import deps, ui_language

logger = logging.getLogger(__name__)


async def gate_chats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from chats outside the allowed list (admins always pass)."""
    dependencies = deps(context)
    allowed = dependencies.settings.allowed_chat_ids
    chat = update.effective_chat
    user = update.effective_user
    if allowed and update.inline_query and not dependencies.is_admin(user.id if user else None):
        # An inline query comes from no chat: where chats are restricted, it gets nothing.
        await update.inline_query.answer([], cache_time=0)
        raise ApplicationHandlerStop
    if not allowed or chat is None or chat.id in allowed:
        return
    if dependencies.is_admin(user.id if user else None):
        return
    logger.info("ignoring update from chat %s (not in allowed_chat_ids)", chat.id)
    if update.callback_query:
        await update.callback_query.answer(text(ui_language(update), "not_allowed"))
    elif chat.type == Chat.PRIVATE and update.message:
        await update.message.reply_text(text(ui_language(update), "not_allowed"))
    raise ApplicationHandlerStop


def _redact(value: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            value = value.replace(secret, "***")
    return value


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without secrets and tell the user something went wrong."""
    error = context.error
    settings = deps(context).settings
    secrets = [
        secret.get_secret_value()
        for secret in (settings.telegram_token, settings.webhook_secret)
        if secret is not None
    ]
    if not isinstance(update, Update):
        # Polling hiccups (network, timeouts) arrive without an update; PTB retries them.
        level = logging.WARNING if isinstance(error, NetworkError) else logging.ERROR
        logger.log(level, "bot error outside an update: %s", _redact(repr(error), secrets))
        return
    details = "".join(traceback.format_exception(error)) if error else "unknown error"
    logger.error("update %s failed:\n%s", update.update_id, _redact(details, secrets))
    language = ui_language(update)
    try:
        if update.callback_query:
            await update.callback_query.answer(text(language, "error"))
        elif update.effective_message:
            await update.effective_message.reply_text(text(language, "error"))
    except TelegramError as reply_error:
        logger.warning("could not tell the user about the error: %s", type(reply_error).__name__)
