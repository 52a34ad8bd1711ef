"""Update handlers: one per command, questions in private and group chats, feedback, errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from telegram import Chat, LinkPreviewOptions, Message, MessageEntity, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.answer_types import Answer
from bot.config import Settings
from bot.i18n import pick_language, text
from bot.service import QuestionError, Service
from bot.telegram.keyboards import (
    DONE_DATA,
    feedback_keyboard,
    parse_feedback_data,
    thanks_keyboard,
)
from bot.telegram.messages import format_answer, plain_to_html
from bot.telegram.ratelimit import SlidingWindowRateLimiter

logger = logging.getLogger(__name__)

DEPS_KEY = "negobot"
_TYPING_REFRESH_SECONDS = 4.5  # Telegram shows "typing…" for about 5 s per action
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_REMEMBERED_PRESSES = 10_000


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


def _remove_utf16_spans(value: str, spans: list[tuple[int, int]]) -> str:
    # Entity offsets count UTF-16 code units, so cut in that encoding.
    encoded = value.encode("utf-16-le")
    for offset, length in sorted(spans, reverse=True):
        encoded = encoded[: offset * 2] + encoded[(offset + length) * 2 :]
    return encoded.decode("utf-16-le")


def _is_reply_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


def _bot_mentions(message: Message, bot_id: int, bot_username: str) -> list[MessageEntity]:
    entities = message.entities or message.caption_entities or ()
    mentions = []
    for entity in entities:
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentions.append(entity)
        elif entity.type == MessageEntity.MENTION:
            if message.text:
                mentioned = message.parse_entity(entity)
            else:
                mentioned = message.parse_caption_entity(entity)
            if mentioned.lstrip("@").lower() == bot_username.lower():
                mentions.append(entity)
    return mentions


def addressed_question(message: Message, bot_id: int, bot_username: str) -> str | None:
    """Return the question in a group message meant for the bot (mentions removed), else None."""
    mentions = _bot_mentions(message, bot_id, bot_username)
    if not mentions and not _is_reply_to_bot(message, bot_id):
        return None
    spans = [(entity.offset, entity.length) for entity in mentions]
    return _remove_utf16_spans(message.text or "", spans).strip()


def command_argument(message: Message) -> str:
    """Return the text after a leading /command (keeping line breaks), stripped."""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return _remove_utf16_spans(message.text or "", [(0, entity.length)]).strip()
    return (message.text or "").strip()


@contextlib.asynccontextmanager
async def typing_indicator(
    context: ContextTypes.DEFAULT_TYPE, message: Message
) -> AsyncIterator[None]:
    """Show "typing…" in the chat now and keep it up until the block ends."""

    async def send_typing() -> None:
        try:
            await message.reply_chat_action(ChatAction.TYPING)
        except TelegramError as error:  # cosmetic: never fail an answer over it
            logger.debug("typing indicator failed: %s", type(error).__name__)

    async def keep_typing() -> None:
        while True:
            await asyncio.sleep(_TYPING_REFRESH_SECONDS)
            await send_typing()

    await send_typing()
    refresher = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher


async def send_answer(message: Message, answer: Answer, language: str) -> None:
    """Send an answer as HTML (split if long) with feedback buttons under its last part."""
    parts = format_answer(answer, language)
    keyboard = feedback_keyboard(answer.log_id, language)
    in_group = message.chat.type != Chat.PRIVATE
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        await message.reply_html(
            part,
            do_quote=in_group and number == 0,
            reply_markup=keyboard if last else None,
            link_preview_options=_NO_PREVIEW,
        )


async def send_plain(message: Message, value: str) -> None:
    """Send service-provided plain text, escaped, split if long."""
    for part in plain_to_html(value):
        await message.reply_html(part, link_preview_options=_NO_PREVIEW)


async def _check_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> bool:
    """Reply politely and return False if the question is empty, too long or rate-limited."""
    message = message_of(update)
    language = ui_language(update)
    if not question.strip():
        # In Telegram an empty question is a bare /ask: show how the command is used.
        await message.reply_text(text(language, "empty"))
        return False
    try:
        deps(context).service.check_question(question, language)
    except QuestionError as error:
        await message.reply_text(str(error))
        return False
    user_id = update.effective_user.id if update.effective_user else message.chat.id
    wait = deps(context).limiter.try_acquire(user_id)
    if wait:
        seconds = SlidingWindowRateLimiter.seconds_to_show(wait)
        await message.reply_text(text(language, "slow_down", seconds=seconds))
        return False
    return True


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Answer one question: checks, typing indicator, the service in a worker thread, reply."""
    question = question.strip()
    if not await _check_question(update, context, question):
        return
    message = message_of(update)
    user = update.effective_user
    service = deps(context).service
    async with typing_indicator(context, message):
        answer = await asyncio.to_thread(
            service.ask,
            question,
            front_end="telegram",
            chat_id=message.chat.id,
            chat_type=message.chat.type,
            user_id=user.id if user else None,
            user_language=user.language_code if user else None,
        )
    await send_answer(message, answer, ui_language(update))


async def gate_chats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from chats outside the allowed list (admins always pass)."""
    dependencies = deps(context)
    allowed = dependencies.settings.allowed_chat_ids
    chat = update.effective_chat
    user = update.effective_user
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


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot does, in the user's language."""
    await message_of(update).reply_text(text(ui_language(update), "start"))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask and which commands exist."""
    await message_of(update).reply_text(text(ui_language(update), "help"))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question after /ask (or the replied-to message when /ask is sent alone)."""
    message = message_of(update)
    question = command_argument(message)
    replied = message.reply_to_message
    if not question and replied and replied.text and not _is_reply_to_bot(message, context.bot.id):
        question = replied.text
    await answer_question(update, context, question)


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the negotiation tracks, or (`/status <track>`) where one stands now, with sources."""
    message = message_of(update)
    language = ui_language(update)
    user_id = update.effective_user.id if update.effective_user else message.chat.id
    wait = deps(context).limiter.try_acquire(user_id)
    if wait:
        seconds = SlidingWindowRateLimiter.seconds_to_show(wait)
        await message.reply_text(text(language, "slow_down", seconds=seconds))
        return
    track = command_argument(message) or None
    async with typing_indicator(context, message):
        answer = await asyncio.to_thread(deps(context).service.status, language, track=track)
    await send_answer(message, answer, language)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Describe which outlets, negotiation tracks and dates the index covers."""
    summary = await asyncio.to_thread(deps(context).service.sources_summary, ui_language(update))
    await send_plain(message_of(update), summary)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show questions today, abstentions and the helpful ratio (admins only)."""
    language = ui_language(update)
    if not deps(context).is_admin(update.effective_user.id if update.effective_user else None):
        await message_of(update).reply_text(text(language, "admin_only"))
        return
    summary = await asyncio.to_thread(deps(context).service.stats_summary, language)
    await send_plain(message_of(update), summary)


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pick up new articles without a restart (admins only, one run at a time)."""
    message = message_of(update)
    language = ui_language(update)
    dependencies = deps(context)
    if not dependencies.is_admin(update.effective_user.id if update.effective_user else None):
        await message.reply_text(text(language, "admin_only"))
        return
    if dependencies.reindex_lock.locked():
        await message.reply_text(text(language, "reindex_busy"))
        return
    async with dependencies.reindex_lock:
        await message.reply_text(text(language, "reindex_started"))
        async with typing_indicator(context, message):
            summary = await asyncio.to_thread(dependencies.service.reindex)
    await send_plain(message, summary)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text in private chats; in groups only text addressed to the bot."""
    message = message_of(update)
    if message.chat.type == Chat.PRIVATE:
        await answer_question(update, context, message.text or "")
        return
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is not None:
        await answer_question(update, context, question)


async def non_text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Politely ask for text when sent a sticker, photo, voice or other media."""
    message = message_of(update)
    if message.chat.type != Chat.PRIVATE and not (
        _is_reply_to_bot(message, context.bot.id)
        or _bot_mentions(message, context.bot.id, context.bot.username)
    ):
        return
    await message.reply_text(text(ui_language(update), "not_text"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point a private chat that used an unknown command to the help text."""
    await message_of(update).reply_text(text(ui_language(update), "help"))


async def feedback_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record a feedback press once, acknowledge it and replace the buttons with a thank-you."""
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} carries no callback query")
    language = ui_language(update)
    parsed = parse_feedback_data(query.data)
    if query.data == DONE_DATA or parsed is None:
        await query.answer(text(language, "already_recorded") if query.data == DONE_DATA else None)
        return
    kind, answer_uid = parsed
    pressed = deps(context).pressed_answers
    if answer_uid in pressed:  # a second press that raced the button swap
        await query.answer(text(language, "already_recorded"))
        return
    pressed[answer_uid] = None
    if len(pressed) > _REMEMBERED_PRESSES:
        pressed.popitem(last=False)
    user_id = query.from_user.id if query.from_user else None
    try:
        await asyncio.to_thread(deps(context).service.feedback, answer_uid, kind, user_id=user_id)
    except Exception:
        pressed.pop(answer_uid, None)  # not recorded: let the user try again
        raise
    await query.answer(text(language, "thanks_report" if kind == "report" else "thanks_vote"))
    try:
        await query.edit_message_reply_markup(reply_markup=thanks_keyboard(language))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


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
