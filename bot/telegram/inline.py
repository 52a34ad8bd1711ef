"""Inline mode: `@bot question` in any chat offers the answer, with its sources, to send there."""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.answers.answer_types import Answer
from bot.answers.tuning import INLINE_TUNING
from bot.service import QuestionError
from bot.telegram.deps import deps, ui_language
from bot.telegram.messages import format_answer

log = logging.getLogger(__name__)

_LATEST_KEY = "inline_latest"  # user id -> the id of their newest inline query


def _cut(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def answer_result(answer: Answer, question: str, language: str) -> InlineQueryResultArticle:
    """Offer an answer as an article: the question as title, the answer's opening as summary."""
    first = format_answer(answer, language)[0]  # the answer and its sources, one message
    summary = answer.text.split("\n\n")[0]
    return InlineQueryResultArticle(
        id=(answer.log_id or str(abs(hash(question))))[:64],
        title=_cut(question, INLINE_TUNING.title_chars),
        description=_cut(summary, INLINE_TUNING.description_chars),
        input_message_content=InputTextMessageContent(
            first,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query a person stopped typing at, within their question rate limit."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    user_id = query.from_user.id
    latest: dict[int, str] = context.bot_data.setdefault(_LATEST_KEY, {})
    latest[user_id] = query.id
    await asyncio.sleep(INLINE_TUNING.settle_seconds)
    if latest.get(user_id) != query.id:
        return  # they typed on: that newer query is answered instead
    latest.pop(user_id, None)
    dependencies = deps(context)
    language = ui_language(update)
    try:
        dependencies.service.check_question(question, language)
    except QuestionError:
        await query.answer([], cache_time=0)
        return
    if dependencies.limiter.try_acquire(user_id):
        await query.answer([], cache_time=0, is_personal=True)
        return
    answer = await asyncio.to_thread(
        dependencies.service.ask,
        question,
        front_end="inline",
        user_id=user_id,
        user_language=query.from_user.language_code,
    )
    result = answer_result(answer, question, language)
    await query.answer([result], cache_time=INLINE_TUNING.cache_seconds)
