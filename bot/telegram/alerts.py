"""Alerts in the running bot: the job that sends queued alerts, and their "ask" button."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.alerts.delivery import ALERT_PREFIX, AlertSender
from bot.answers.tuning import ALERT_TUNING
from bot.i18n import text
from bot.telegram.deps import DEPS_KEY, BotDeps, deps, ui_language
from bot.telegram.jobs import run_every
from bot.telegram.replies import send_answer

if TYPE_CHECKING:
    from telegram.ext import Application, Job

SENDER_KEY = "alert_sender"
ALERT_PATTERN = rf"^{ALERT_PREFIX}:"


def schedule_alerts(application: Application) -> Job | None:
    """Send queued alerts every few seconds on the JobQueue, whichever process queued them."""
    dependencies: BotDeps = application.bot_data[DEPS_KEY]
    tuning = replace(ALERT_TUNING, per_second=dependencies.settings.alerts_per_second)
    sender = AlertSender(dependencies.alerts(), tuning)
    application.bot_data[SENDER_KEY] = sender

    async def deliver_job(context: Any) -> None:
        # A stopping bot finishes the alert in flight and hands the rest back to the outbox.
        await sender.deliver(context.bot, keep_going=lambda: application.running)

    return run_every(
        application, deliver_job, name="alerts", interval=ALERT_TUNING.poll_seconds, first=1
    )


async def alert_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer "what's new" on the alert's track, under the alert."""
    query = update.callback_query
    if query is None or not query.data:
        return
    language = ui_language(update)
    track_id = query.data.split(":", 1)[1]
    await query.answer()
    message = query.message
    if not isinstance(message, Message):  # too old to reply to
        return
    answer = await asyncio.to_thread(deps(context).service.status, language, track=track_id)
    if not answer.text.strip():
        answer.text = text(language, "error")
    await send_answer(message, answer, language)
