"""Command handlers other than /ask: /start, /help, /status, /sources and the admin commands."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import text
from bot.telegram.deps import deps, message_of, ui_language
from bot.telegram.handlers import command_argument
from bot.telegram.replies import send_answer, send_plain, typing_indicator


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot does, in the user's language."""
    await message_of(update).reply_text(text(ui_language(update), "start"))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask and which commands exist."""
    await message_of(update).reply_text(text(ui_language(update), "help"))


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the negotiation tracks, or (`/status <track>`) where one stands now, with sources."""
    message = message_of(update)
    language = ui_language(update)
    # Looking up where things stand is cheap and never counts against the question limit.
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


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point a private chat that used an unknown command to the help text."""
    await message_of(update).reply_text(text(ui_language(update), "help"))
