"""A small Telegram Bot API server for end-to-end tests and benchmarks, on 127.0.0.1.

It implements the methods negobot uses (getMe, getUpdates with long polling, sendMessage,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendChatAction, setMyCommands,
getMyCommands, deleteWebhook, setWebhook, getWebhookInfo, getChatMember, answerInlineQuery)
with Bot API types, checks HTML the way Telegram does (unknown tags, unbalanced tags, stray `<`
or `&`, the 4096-character limit), refuses messages to blocked and migrated chats as Telegram
does, and offers a control side by which a test acts as users and reads what the bot did: as Python
methods when run in-process, and as JSON endpoints under `/control/<action>`.

Modules: `objects` (Bot API objects, FakeUser, Event, BotApiError), `html_check` (Telegram HTML),
`state` (chats, messages, updates, event log), `control` (the test's side), `methods` (the Bot
API methods), `members` (group admins, blocked and migrated chats), `inline` (inline queries)
and `server` (HTTP endpoints; `BotApiEmulator` joins control and methods).
"""

from .html_check import parse_html
from .methods import CALLBACK_DATA_LIMIT, MESSAGE_LIMIT
from .objects import (
    BotApiError,
    Event,
    FakeUser,
    auto_entities,
    group_chat,
    private_chat,
    utf16_length,
)
from .server import BotApiEmulator, _decode_form_value

__all__ = [
    "CALLBACK_DATA_LIMIT",
    "MESSAGE_LIMIT",
    "BotApiEmulator",
    "BotApiError",
    "Event",
    "FakeUser",
    "_decode_form_value",
    "auto_entities",
    "group_chat",
    "parse_html",
    "private_chat",
    "utf16_length",
]
