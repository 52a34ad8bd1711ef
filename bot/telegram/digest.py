"""/digest: one message a day instead of alerts as reports arrive, and the job that queues it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.alerts.digest import clock_time, minute_of_day, queue_due_digests
from bot.answers.tuning import ALERT_TUNING
from bot.i18n import text
from bot.logstore.crud import digests as crud
from bot.logstore.crud.subscriptions import following
from bot.telegram.deps import DEPS_KEY, BotDeps, deps, message_of, ui_language
from bot.telegram.handlers import command_argument
from bot.telegram.jobs import run_every
from bot.telegram.subscriptions import refused

if TYPE_CHECKING:
    from telegram.ext import Application, Job

log = logging.getLogger(__name__)


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the chat's digest setting, or (`on [HH:MM]`, `off`) change it."""
    message = message_of(update)
    language = ui_language(update)
    dependencies = deps(context)
    chat_id = message.chat.id
    asked = command_argument(message).split()
    words = [word.lower() for word in asked]
    if not words:
        current = await asyncio.to_thread(dependencies.alerts_call, crud.digest_of, chat_id=chat_id)
        if current is None:
            default = clock_time(_default_minute(dependencies))
            await message.reply_text(text(language, "digest_is_off", time=default))
        else:
            reply = text(language, "digest_is_on", time=clock_time(current.minute))
            await message.reply_text(reply)
        return
    if words[0] not in ("on", "off") or len(words) > 2 or (words[0] == "off" and len(words) > 1):
        await message.reply_text(text(language, "digest_usage"))
        return
    minute = minute_of_day(words[1]) if len(words) == 2 else _default_minute(dependencies)
    if minute is None:
        await message.reply_text(text(language, "digest_bad_time", asked=asked[1]))
        return
    if await refused(update, context, language):
        return
    if words[0] == "off":
        stopped = await asyncio.to_thread(
            dependencies.alerts_call, crud.stop_digest, chat_id=chat_id
        )
        await message.reply_text(text(language, "digest_off" if stopped else "digest_was_off"))
        return
    await asyncio.to_thread(
        dependencies.alerts_call,
        crud.start_digest,
        chat_id=chat_id,
        minute=minute,
        language=language,
    )
    reply = text(language, "digest_on", time=clock_time(minute))
    followed = await asyncio.to_thread(dependencies.alerts_call, following, chat_id=chat_id)
    if not followed:
        reply += "\n" + text(language, "digest_follows_nothing")
    await message.reply_text(reply)


def _default_minute(dependencies: BotDeps) -> int:
    minute = minute_of_day(dependencies.settings.digest_time)
    assert minute is not None  # the setting is validated against the same pattern
    return minute


def schedule_digests(application: Application) -> Job | None:
    """Queue the daily digests that are due, every minute on the JobQueue."""
    dependencies: BotDeps = application.bot_data[DEPS_KEY]

    async def digest_job(context: Any) -> None:
        # Composing reads the index and the database: off the event loop. The alert job sends.
        try:
            await asyncio.to_thread(
                queue_due_digests,
                dependencies.alerts(),
                dependencies.settings.index_dir,
                datetime.now(UTC),
            )
        except Exception:  # a database outage must not stop the job for good
            log.warning("digests not queued", exc_info=True)

    every = ALERT_TUNING.digest_poll_seconds
    return run_every(application, digest_job, name="digests", interval=every, first=every)
