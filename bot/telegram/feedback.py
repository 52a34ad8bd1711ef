"""The feedback buttons under an answer: record a press once and thank the user."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import text
from bot.telegram.deps import deps, ui_language
from bot.telegram.keyboards import DONE_DATA, parse_feedback_data, thanks_keyboard

_REMEMBERED_PRESSES = 10_000


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
