"""/follow, /unfollow and /following: which negotiations a chat is sent alerts about."""

from __future__ import annotations

import asyncio

from telegram import Chat, ChatMember, Update
from telegram.ext import ContextTypes

from bot.i18n import text
from bot.logstore.alert_models import EVERYTHING
from bot.logstore.crud import subscriptions as crud
from bot.service import NamedTrack, TrackLookup
from bot.telegram.deps import deps, message_of, ui_language
from bot.telegram.handlers import command_argument

_ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def _may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Return whether the sender may change what this chat follows (in groups: admins only)."""
    message = message_of(update)
    chat = message.chat
    if chat.type == Chat.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator writes as the group itself
    user = update.effective_user
    if user is None:
        return False
    if deps(context).is_admin(user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _ADMIN_STATUSES


async def refused(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> bool:
    """Tell a sender who may not change the chat's subscriptions so; return whether refused."""
    if await _may_change(update, context):
        return False
    await message_of(update).reply_text(text(language, "follow_admins_only"))
    return True


def _named(catalog: TrackLookup, asked: str) -> NamedTrack | None:
    return catalog.get(asked) or catalog.find(asked)


def _known(catalog: TrackLookup) -> str:
    return ", ".join(track.id for track in catalog.tracks())


async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow every negotiation, or (`/follow <track>`) one of them."""
    message = message_of(update)
    language = ui_language(update)
    if await refused(update, context, language):
        return
    dependencies = deps(context)
    asked = command_argument(message)
    if asked:
        catalog = await asyncio.to_thread(dependencies.service.track_catalog)
        track = _named(catalog, asked)
        if track is None:
            known = _known(catalog)
            await message.reply_text(text(language, "unknown_track", asked=asked, known=known))
            return
        track_id = track.id
        reply = text(language, "follow_track", track=track.name(language), id=track.id)
    else:
        track_id, reply = EVERYTHING, text(language, "follow_all")
    await asyncio.to_thread(
        dependencies.alerts_call,
        crud.follow,
        chat_id=message.chat.id,
        track_id=track_id,
        language=language,
    )
    await message.reply_text(reply)


async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop following everything, or (`/unfollow <track>`) one negotiation."""
    message = message_of(update)
    language = ui_language(update)
    if await refused(update, context, language):
        return
    dependencies = deps(context)
    asked = command_argument(message)
    chat_id = message.chat.id
    if not asked:
        removed = await asyncio.to_thread(
            dependencies.alerts_call, crud.unfollow, chat_id=chat_id, track_id=None
        )
        await message.reply_text(text(language, "unfollow_all" if removed else "following_none"))
        return
    catalog = await asyncio.to_thread(dependencies.service.track_catalog)
    track = _named(catalog, asked)
    # A followed track may have left the library since (merged by the deployer): its id still works.
    track_id = track.id if track is not None else asked
    name = track.name(language) if track is not None else asked
    removed = await asyncio.to_thread(
        dependencies.alerts_call, crud.unfollow, chat_id=chat_id, track_id=track_id
    )
    key = "unfollow_track" if removed else "unfollow_missing"
    await message.reply_text(text(language, key, track=name))


async def following(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List what this chat follows (anyone in the chat may ask)."""
    message = message_of(update)
    language = ui_language(update)
    dependencies = deps(context)
    followed = await asyncio.to_thread(
        dependencies.alerts_call, crud.following, chat_id=message.chat.id
    )
    if not followed:
        await message.reply_text(text(language, "following_none"))
        return
    catalog = await asyncio.to_thread(dependencies.service.track_catalog)
    lines = [text(language, "following_heading")]
    for track_id in followed:
        if track_id == EVERYTHING:
            lines.append(text(language, "following_all"))
            continue
        track = catalog.get(track_id)
        name = track.name(language) if track is not None else track_id
        lines.append(text(language, "following_line", track=name, id=track_id))
    await message.reply_text("\n".join(lines))
