""" "Report a problem": ask what is wrong with a ForceReply, and keep the reply with the report."""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, ForceReply, Message, Update
from telegram.ext import ContextTypes

from bot.i18n import text
from bot.telegram.deps import deps, message_of, ui_language

REMEMBERED_PROMPTS = 10_000


async def ask_what_is_wrong(
    query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, answer_uid: str, language: str
) -> None:
    """Under the reported answer, ask the reporter to say what is wrong, in a reply."""
    answer = query.message
    if not isinstance(answer, Message) or query.from_user is None:
        return
    prompt = await answer.reply_text(
        text(language, "report_what"), reply_markup=ForceReply(selective=True)
    )
    prompts = deps(context).report_prompts
    prompts[(prompt.chat.id, prompt.message_id)] = (answer_uid, query.from_user.id)
    while len(prompts) > REMEMBERED_PROMPTS:
        prompts.popitem(last=False)


async def take_report_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """If the message replies to a "what is wrong?" prompt, keep it with the report; say if so."""
    message = message_of(update)
    replied = message.reply_to_message
    user = update.effective_user
    if replied is None or user is None or not message.text:
        return False
    key = (message.chat.id, replied.message_id)
    prompts = deps(context).report_prompts
    asked = prompts.get(key)
    if asked is None or asked[1] != user.id:  # only the reporter's own reply is their note
        return False
    answer_uid, _ = asked
    service = deps(context).service
    await asyncio.to_thread(service.report_note, answer_uid, message.text, user_id=user.id)
    del prompts[key]
    await message.reply_text(text(ui_language(update), "report_noted"))
    return True
