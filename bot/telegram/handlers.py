"""Question handlers: /ask, text in private chats and text addressed to the bot in groups."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext import ContextTypes

from bot.conversation import conversation_key
from bot.i18n import text
from bot.service import QuestionError
from bot.telegram.deps import deps, message_of, ui_language
from bot.telegram.ratelimit import SlidingWindowRateLimiter
from bot.telegram.replies import send_answer, typing_indicator
from bot.telegram.reports import take_report_note


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
    return _remove_utf16_spans(message.text or message.caption or "", spans).strip()


def command_argument(message: Message) -> str:
    """Return the text after a leading /command (keeping line breaks), stripped."""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return _remove_utf16_spans(message.text or "", [(0, entity.length)]).strip()
    return (message.text or "").strip()


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
    limiter = deps(context).limiter
    wait = limiter.try_acquire(user_id)
    if wait:
        if limiter.first_refusal(user_id):  # the rest of a flood gets no reply at all
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
    dependencies = deps(context)
    service = dependencies.service
    thread = message.message_thread_id if message.is_topic_message else None
    replied = message.reply_to_message
    reply_to = None
    if replied is not None and _is_reply_to_bot(message, context.bot.id):
        reply_to = dependencies.answer_messages.get((message.chat.id, replied.message_id))
    async with typing_indicator(context, message):
        answer = await asyncio.to_thread(
            service.ask,
            question,
            front_end="telegram",
            chat_id=message.chat.id,
            chat_type=message.chat.type,
            user_id=user.id if user else None,
            user_language=user.language_code if user else None,
            conversation=conversation_key(
                message.chat.id, message.chat.type, user.id if user else None, thread
            ),
            reply_to=reply_to,
        )
    for part in await send_answer(message, answer, ui_language(update)):
        if answer.log_id:
            dependencies.remember_answer_message(part.chat.id, part.message_id, answer.log_id)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question after /ask (or the replied-to message when /ask is sent alone)."""
    message = message_of(update)
    question = command_argument(message)
    replied = message.reply_to_message
    if not question and replied and replied.text and not _is_reply_to_bot(message, context.bot.id):
        question = replied.text
    await answer_question(update, context, question)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text in private chats; in groups only text addressed to the bot."""
    if await take_report_note(update, context):
        return
    await _answer_if_meant_for_bot(update, context, message_of(update).text or "")


async def caption_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take a photo's or document's caption as the question, as if it had been typed."""
    await _answer_if_meant_for_bot(update, context, message_of(update).caption or "")


async def _answer_if_meant_for_bot(
    update: Update, context: ContextTypes.DEFAULT_TYPE, written: str
) -> None:
    """Answer what was written in a private chat; in a group only if addressed to the bot."""
    message = message_of(update)
    if message.chat.type == Chat.PRIVATE:
        await answer_question(update, context, written)
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
