"""Build the Telegram application and run it by long polling or webhook."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.i18n import offered_languages
from bot.refresh import schedule_refresh
from bot.service import Service
from bot.telegram import commands, feedback, guards, handlers, subscriptions
from bot.telegram.alerts import ALERT_PATTERN, alert_press, schedule_alerts
from bot.telegram.deps import DEPS_KEY, BotDeps
from bot.telegram.digest import digest, schedule_digests
from bot.telegram.inline import inline_query
from bot.telegram.messages import ADMIN_COMMAND_DESCRIPTIONS, command_descriptions
from bot.telegram.ratelimit import SlidingWindowRateLimiter

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
PUBLIC_COMMANDS = (
    "ask", "status", "sources", "follow", "unfollow", "following", "digest", "help", "start"
)  # fmt: skip
# Updates run concurrently so one slow answer never holds up other users; the service runs
# in worker threads, so this mostly bounds queued work.
CONCURRENT_UPDATES = 64


class TelegramConfigError(ValueError):
    """The Telegram settings cannot work as given."""


def _public_commands(language: str) -> list[BotCommand]:
    descriptions = command_descriptions(language)
    return [BotCommand(name, descriptions[name]) for name in PUBLIC_COMMANDS]


async def register_commands(application: Application) -> None:
    """Publish the command menu (per language) and the admin commands for admin chats."""
    bot = application.bot
    await bot.set_my_commands(_public_commands(offered_languages()[0]))
    for language in offered_languages():
        if language != offered_languages()[0]:
            await bot.set_my_commands(_public_commands(language), language_code=language)
    settings: Settings = application.bot_data[DEPS_KEY].settings
    admin_commands = _public_commands("en") + [
        BotCommand(name, description) for name, description in ADMIN_COMMAND_DESCRIPTIONS.items()
    ]
    for admin_id in settings.admin_user_ids:
        try:
            await bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError as error:  # e.g. the admin has not opened a chat with the bot yet
            logger.info("admin commands not set for %s: %s", admin_id, type(error).__name__)
    logger.info("bot @%s ready", bot.username)


def build_application(
    settings: Settings,
    service: Service,
    *,
    request: BaseRequest | None = None,
    flood_limiter: bool = True,
) -> Application:
    """Return the bot application with every handler registered (not yet started)."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise TelegramConfigError("NEGOBOT_TELEGRAM_TOKEN is not set")
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(register_commands)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if flood_limiter:
        builder = builder.rate_limiter(AIORateLimiter())  # type: ignore[arg-type]  # PTB generics
    application = builder.build()
    application.bot_data[DEPS_KEY] = BotDeps(
        settings=settings,
        service=service,
        limiter=SlidingWindowRateLimiter(settings.rate_limit_per_minute),
    )
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """Register the chat gate, commands, message handlers, feedback buttons and error handler."""
    # Edits of old messages are not new questions, nor is an answer sent from inline mode.
    new_messages = filters.UpdateType.MESSAGE & ~filters.VIA_BOT
    application.add_handler(TypeHandler(Update, guards.gate_chats), group=-1)
    command_handlers = {
        "start": commands.start,
        "help": commands.help_command,
        "ask": handlers.ask,
        "status": commands.status,
        "sources": commands.sources,
        "stats": commands.stats,
        "reindex": commands.reindex,
        "follow": subscriptions.follow,
        "unfollow": subscriptions.unfollow,
        "following": subscriptions.following,
        "digest": digest,
    }
    for name, callback in command_handlers.items():
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    application.add_handler(
        MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, handlers.text_message)
    )
    application.add_handler(
        MessageHandler(
            new_messages & filters.COMMAND & filters.ChatType.PRIVATE, commands.unknown_command
        )
    )
    application.add_handler(
        MessageHandler(
            new_messages & (filters.PHOTO | filters.Document.ALL) & filters.CAPTION,
            handlers.caption_message,
        )
    )
    application.add_handler(
        MessageHandler(
            new_messages & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.non_text_message
        )
    )
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(CallbackQueryHandler(alert_press, pattern=ALERT_PATTERN))
    application.add_handler(CallbackQueryHandler(feedback.feedback_press))
    application.add_error_handler(guards.error_handler)


def run_bot(settings: Settings, service: Service) -> None:
    """Run the bot until SIGINT/SIGTERM: long polling by default, or a webhook server."""
    # httpx logs request URLs at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    application = build_application(settings, service)
    schedule_refresh(application, settings, service)
    schedule_alerts(application)
    schedule_digests(application)
    if settings.telegram_mode == "webhook":
        if not settings.webhook_url:
            raise TelegramConfigError("NEGOBOT_WEBHOOK_URL is required when telegram_mode=webhook")
        # Without a configured secret, a fresh random one still proves requests come from Telegram.
        secret = (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else secrets.token_urlsafe(32)
        )
        logger.info("starting webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        logger.info("starting long polling")
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    logger.info("bot stopped")
