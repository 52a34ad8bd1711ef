"""The feedback buttons under an answer: one vote per person (changeable), and reports."""

from __future__ import annotations

import asyncio

from telegram import Chat, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import text
from bot.telegram.deps import deps, ui_language
from bot.telegram.keyboards import DONE_DATA, parse_feedback_data, thanks_keyboard
from bot.telegram.reports import ask_what_is_wrong

_REMEMBERED_PRESSES = 10_000


async def feedback_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record a person's press, acknowledge it; in a private chat swap the buttons for thanks."""
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} carries no callback query")
    language = ui_language(update)
    parsed = parse_feedback_data(query.data)
    if query.data == DONE_DATA or parsed is None:
        await query.answer(text(language, "already_recorded") if query.data == DONE_DATA else None)
        return
    kind, answer_uid = parsed
    user_id = query.from_user.id if query.from_user else None
    # Each person votes once per answer and may change their vote; a report is its own press.
    key = (answer_uid, user_id, "report" if kind == "report" else "vote")
    pressed = deps(context).pressed_answers
    previous = pressed.get(key)
    if previous == kind:  # the same press again, or one that raced the button swap
        await query.answer(text(language, "already_recorded"))
        return
    pressed[key] = kind
    pressed.move_to_end(key)
    if len(pressed) > _REMEMBERED_PRESSES:
        pressed.popitem(last=False)
    try:
        await asyncio.to_thread(deps(context).service.feedback, answer_uid, kind, user_id=user_id)
    except Exception:
        # Not recorded: let the user try again, and keep the vote they had.
        if previous is None:
            pressed.pop(key, None)
        else:
            pressed[key] = previous
        raise
    thanks = "thanks_report" if kind == "report" else "vote_changed" if previous else "thanks_vote"
    await query.answer(text(language, thanks))
    if kind == "report":
        await ask_what_is_wrong(query, context, answer_uid, language)
    message = query.message
    if message is not None and message.chat.type != Chat.PRIVATE:
        return  # in a group the buttons stay, so every member can vote
    try:
        await query.edit_message_reply_markup(reply_markup=thanks_keyboard(language))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
