"""Replying in a chat: the typing indicator, answers with feedback buttons, and plain text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Chat, LinkPreviewOptions, Message
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.answers.answer_types import Answer
from bot.telegram.keyboards import feedback_keyboard
from bot.telegram.messages import format_answer, plain_to_html

logger = logging.getLogger(__name__)

_TYPING_REFRESH_SECONDS = 4.5  # Telegram shows "typing…" for about 5 s per action
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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


async def send_answer(message: Message, answer: Answer, language: str) -> list[Message]:
    """Send an answer as HTML (split if long) with feedback buttons under its last part."""
    parts = format_answer(answer, language)
    keyboard = feedback_keyboard(answer.log_id, language)
    in_group = message.chat.type != Chat.PRIVATE
    sent = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        reply = await message.reply_html(
            part,
            do_quote=in_group and number == 0,
            reply_markup=keyboard if last else None,
            link_preview_options=_NO_PREVIEW,
        )
        sent.append(reply)
    return sent


async def send_plain(message: Message, value: str) -> None:
    """Send service-provided plain text, escaped, split if long."""
    for part in plain_to_html(value):
        await message.reply_html(part, link_preview_options=_NO_PREVIEW)
