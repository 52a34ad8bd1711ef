"""A small Telegram Bot API server for end-to-end tests and benchmarks, on 127.0.0.1.

It implements the methods negobot uses (getMe, getUpdates with long polling, sendMessage,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendChatAction, setMyCommands,
getMyCommands, deleteWebhook, setWebhook, getWebhookInfo) with Bot API types, checks HTML the way
Telegram does (unknown tags, unbalanced tags, stray `<` or `&`, the 4096-character limit), and
offers a control side by which a test acts as users and reads what the bot did: as Python
methods when run in-process, and as JSON endpoints under `/control/<action>`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
# Form-encoded parameters that are plain strings; every other value arrives JSON-encoded.
_STRING_PARAMS = {
    "text", "parse_mode", "callback_query_id", "action", "url", "secret_token", "caption",
    "inline_message_id", "language_code", "business_connection_id", "message_effect_id",
    "ip_address", "emoji",
}  # fmt: skip
_CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
_UPDATE_TYPES = {"message", "edited_message", "callback_query", "channel_post", "inline_query"}
_HTML_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link", "code": "code", "pre": "pre", "tg-spoiler": "spoiler",
    "blockquote": "blockquote", "span": "spoiler",
}  # fmt: skip
_STRAY_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_STRAY_LESS_THAN = re.compile(r"<(?!/?[a-zA-Z])")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}")
_BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class BotApiError(Exception):
    """A Bot API error reply: HTTP status and description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def utf16_length(value: str) -> int:
    """Count UTF-16 code units, the unit of Bot API entity offsets and limits."""
    return len(value.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user the test acts as."""

    id: int
    first_name: str = "Test"
    language_code: str | None = "en"
    username: str | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


def private_chat(user: FakeUser) -> dict[str, Any]:
    """Return the Chat object of a user's private chat with the bot."""
    chat: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.username:
        chat["username"] = user.username
    return chat


def group_chat(chat_id: int, title: str = "Test group", kind: str = "supergroup") -> dict[str, Any]:
    """Return the Chat object of a group (negative id, as Telegram uses)."""
    if chat_id >= 0:
        raise ValueError(f"group chat ids are negative, got {chat_id}")
    return {"id": chat_id, "type": kind, "title": title}


def auto_entities(text: str) -> list[dict[str, Any]]:
    """Return the entities Telegram would attach to typed text: a leading command, @mentions."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(command[0])})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_length(text[: mention.start()]),
                "length": utf16_length(mention[0]),
            }
        )
    return entities


class _TelegramHtml(HTMLParser):
    """Parse Bot API HTML into text and entities, rejecting what Telegram rejects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.position = 0
        self.open_tags: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_ENTITY_TYPES:
            raise BotApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.open_tags.append((tag, self.position, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1][0] != tag:
            raise BotApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        name, start, attrs = self.open_tags.pop()
        length = self.position - start
        if length <= 0:
            return
        entity: dict[str, Any] = {
            "type": _HTML_ENTITY_TYPES[name],
            "offset": start,
            "length": length,
        }
        if name == "a":
            href = attrs.get("href") or ""
            if not href:
                return
            entity["url"] = href
        if name == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.position += utf16_length(data)

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self.open_tags:
            tag = self.open_tags[-1][0]
            raise BotApiError(
                400,
                "Bad Request: can't parse entities: Can't find end tag corresponding to start "
                f'tag "{tag}"',
            )
        return "".join(self.parts), sorted(self.entities, key=lambda e: e["offset"])


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (text, entities) for a Bot API HTML message, or raise the 400 Telegram gives."""
    for pattern, what in ((_STRAY_AMPERSAND, "&"), (_STRAY_LESS_THAN, "<")):
        stray = pattern.search(markup)
        if stray:
            raise BotApiError(
                400,
                f"Bad Request: can't parse entities: unescaped {what!r} at byte offset "
                f"{len(markup[: stray.start()].encode())}",
            )
    parser = _TelegramHtml()
    parser.feed(markup)
    return parser.finish()


@dataclass
class Event:
    """One thing the bot did, in order: a message sent or edited, an action, an answer."""

    seq: int
    kind: str  # message | edit_text | edit_markup | chat_action | callback_answer | commands
    chat_id: int | None
    payload: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def message(self) -> dict[str, Any]:
        return self.payload.get("message", {})

    @property
    def text(self) -> str:
        return self.message.get("text", "")

    @property
    def html(self) -> str:
        """The text as the bot sent it (with HTML tags, if it used parse_mode HTML)."""
        return self.payload.get("raw_text", self.text)


class BotApiEmulator:
    """A Bot API server for one bot, with a control side for tests. Use as a context manager."""

    def __init__(
        self,
        token: str = "123456789:TEST_token_for_the_emulator",
        *,
        bot_username: str = "negobot_test_bot",
        bot_first_name: str = "Negobot",
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            # Delivers every group message (privacy mode off), so "stays quiet" is meaningful.
            "can_read_all_group_messages": True,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.method_calls: Counter[str] = Counter()
        self._changed = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_001)
        self._chats: dict[int, dict[str, Any]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._events: list[Event] = []
        self._events_by_chat: dict[int | None, list[Event]] = {}
        self._queries: dict[str, dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._webhook: dict[str, Any] | None = None
        self._closing = False
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> BotApiEmulator:
        """Serve on a free port of 127.0.0.1 in background threads."""
        emulator = self

        class Handler(_RequestHandler):
            owner = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        serve = threading.Thread(target=self._server.serve_forever, name="botapi", daemon=True)
        deliver = threading.Thread(target=self._deliver_webhooks, name="botapi-hook", daemon=True)
        self._threads = [serve, deliver]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release waiting long polls."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The value for python-telegram-bot's `base_url` (and NEGOBOT_TELEGRAM_BASE_URL)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_username(self) -> str:
        return self.bot_user["username"]

    # --- control: acting as users ---------------------------------------------------------------

    def _register_chat(self, chat: dict[str, Any]) -> None:
        self._chats[chat["id"]] = chat
        self._message_ids.setdefault(chat["id"], itertools.count(1))

    def _user_message(
        self, user: FakeUser, chat: dict[str, Any] | None, reply_to: int | None
    ) -> dict[str, Any]:
        chat = chat or private_chat(user)
        self._register_chat(chat)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": user.to_api(),
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to is not None:
            replied = self._messages.get((chat["id"], reply_to))
            if replied is None:
                raise ValueError(f"no message {reply_to} in chat {chat['id']} to reply to")
            message["reply_to_message"] = _without_reply(replied)
        return message

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self._changed.notify_all()
        return update

    def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Deliver a text message from `user` (in their private chat unless `chat` is given)."""
        with self._changed:
            message = self._user_message(user, chat, reply_to)
            message["text"] = text
            found = auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
            self._messages[(message["chat"]["id"], message["message_id"])] = message
            self._push_update("message", message)
            return message

    def send_media(
        self,
        user: FakeUser,
        kind: str = "sticker",
        *,
        chat: dict[str, Any] | None = None,
        reply_to: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Deliver a sticker, photo or voice message from `user`."""
        media: dict[str, Any] = {
            "sticker": {
                "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADsticker", "type": "regular",
                "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
            },
            "photo": [
                {"file_id": "AgACAgIAAxkBAAE", "file_unique_id": "AQADphoto", "width": 90,
                 "height": 90, "file_size": 1200},
            ],
            "voice": {
                "file_id": "AwACAgIAAxkBAAE", "file_unique_id": "AgADvoice", "duration": 3,
                "mime_type": "audio/ogg", "file_size": 4000,
            },
        }  # fmt: skip
        if kind not in media:
            raise ValueError(f"media kind must be one of {sorted(media)}, got {kind!r}")
        with self._changed:
            message = self._user_message(user, chat, reply_to)
            message[kind] = media[kind]
            if caption:
                message["caption"] = caption
                found = auto_entities(caption)
                if found:
                    message["caption_entities"] = found
            self._messages[(message["chat"]["id"], message["message_id"])] = message
            self._push_update("message", message)
            return message

    def press_button(self, user: FakeUser, message: dict[str, Any], callback_data: str) -> str:
        """Press the inline button with `callback_data` under a bot message; return the query id."""
        with self._changed:
            current = self._messages.get((message["chat"]["id"], message["message_id"]))
            if current is None:
                raise ValueError("no such message to press a button on")
            rows = current.get("reply_markup", {}).get("inline_keyboard", [])
            if not any(
                button.get("callback_data") == callback_data for row in rows for button in row
            ):
                raise ValueError(f"the message has no button with callback data {callback_data!r}")
            query_id = str(next(self._query_ids))
            query = {
                "id": query_id,
                "from": user.to_api(),
                "message": json.loads(json.dumps(current)),
                "chat_instance": str(abs(hash(("chat", current["chat"]["id"])))),
                "data": callback_data,
            }
            self._queries[query_id] = {"answered": False}
            self._push_update("callback_query", query)
            return query_id

    # --- control: reading what the bot did ------------------------------------------------------

    def mark(self) -> int:
        """Return the current event position, to wait only for what happens after it."""
        with self._changed:
            return len(self._events)

    def events(
        self, kind: str | None = None, chat_id: int | None = None, since: int = 0
    ) -> list[Event]:
        """Return the bot's actions so far, optionally of one kind and chat."""
        with self._changed:
            return self._matching(kind, chat_id, since, None)

    def _matching(
        self,
        kind: str | None,
        chat_id: int | None,
        since: int,
        where: Callable[[Event], bool] | None,
    ) -> list[Event]:
        if chat_id is None:
            candidates = self._events[since:]
        else:  # per-chat lists keep waits cheap when many simulated users are waiting
            chat_events = self._events_by_chat.get(chat_id, [])
            start = len(chat_events)
            while start > 0 and chat_events[start - 1].seq >= since:
                start -= 1
            candidates = chat_events[start:]
        return [
            event
            for event in candidates
            if (kind is None or event.kind == kind) and (where is None or where(event))
        ]

    def wait_for(
        self,
        kind: str | None = None,
        chat_id: int | None = None,
        *,
        since: int = 0,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Event], bool] | None = None,
    ) -> list[Event]:
        """Wait until `count` matching bot actions happened after `since`; raise on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self._matching(kind, chat_id, since, where)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"waited {timeout} s for {count} {kind or 'event'}(s) in chat {chat_id}; "
                        f"saw {len(found)}: {[event.text or event.kind for event in found]}"
                    )
                self._changed.wait(remaining)

    def wait_for_reply(self, chat_id: int, *, since: int, timeout: float = 10.0) -> Event:
        """Wait for the next message the bot sends to `chat_id` after event position `since`."""
        return self.wait_for("message", chat_id, since=since, timeout=timeout)[0]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Return the bot's messages in a chat as they are now (after edits)."""
        with self._changed:
            return [
                message
                for (chat, _), message in sorted(self._messages.items())
                if chat == chat_id and message["from"]["id"] == self.bot_user["id"]
            ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """Return one message as it is now."""
        with self._changed:
            return self._messages[(chat_id, message_id)]

    def my_commands(self, language_code: str = "", scope: dict[str, Any] | None = None) -> list:
        """Return the command list the bot registered for a scope and language."""
        with self._changed:
            return self._commands.get((_scope_key(scope), language_code), [])

    def drain_updates(self) -> list[dict[str, Any]]:
        """Take every pending update (for feeding an application directly, without polling)."""
        with self._changed:
            updates, self._updates = self._updates, []
            return updates

    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        with self._changed:
            return len(self._updates)

    # --- Bot API methods ------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one Bot API method and return its result, or raise BotApiError."""
        handler = getattr(self, "_api_" + method.lower(), None)
        if handler is None:
            raise BotApiError(404, "Not Found")
        self.method_calls[method] += 1
        return handler(params)

    def _record(self, kind: str, chat_id: int | None, payload: dict[str, Any]) -> None:
        # A snapshot: later edits must not rewrite what was sent at the time.
        snapshot = json.loads(json.dumps(payload))
        event = Event(len(self._events), kind, chat_id, snapshot)
        self._events.append(event)
        self._events_by_chat.setdefault(chat_id, []).append(event)
        self._changed.notify_all()

    def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _as_int(params.get("offset"), "offset", default=0)
        limit = min(max(_as_int(params.get("limit"), "limit", default=100), 1), 100)
        timeout = max(_as_int(params.get("timeout"), "timeout", default=0), 0)
        allowed = params.get("allowed_updates")
        deadline = time.monotonic() + timeout
        with self._changed:
            if self._webhook is not None:
                raise BotApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            if isinstance(allowed, list):
                self._allowed_updates = [kind for kind in allowed if kind in _UPDATE_TYPES]
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            self._poll_generation += 1
            generation = self._poll_generation
            self._changed.notify_all()  # an older poll still waiting is now terminated
            while True:
                if generation != self._poll_generation:
                    raise BotApiError(409, "Conflict: terminated by other getUpdates request")
                ready = [u for u in self._updates if self._is_allowed(u)][:limit]
                if ready or self._closing:
                    return ready
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._changed.wait(remaining)

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        if not self._allowed_updates:
            return "message" in update or "callback_query" in update or "edited_message" in update
        return any(kind in update for kind in self._allowed_updates)

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise BotApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        return chat

    def _render_text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        raw = params.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        parse_mode = (params.get("parse_mode") or "").lower()
        if parse_mode == "html":
            text, entities = parse_html(raw)
        elif parse_mode:
            raise BotApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']!r}")
        else:
            text, entities = raw, list(params.get("entities") or [])
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MESSAGE_LIMIT:
            raise BotApiError(400, "Bad Request: message is too long")
        return text, entities

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            chat = self._chat(params)
            text, entities = self._render_text(params)
            markup = _check_markup(params.get("reply_markup"))
            message: dict[str, Any] = {
                "message_id": next(self._message_ids[chat["id"]]),
                "from": dict(self.bot_user),
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            if entities:
                message["entities"] = entities
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            if params.get("link_preview_options") is not None:
                message["link_preview_options"] = params["link_preview_options"]
            reply = params.get("reply_parameters") or (
                {"message_id": params["reply_to_message_id"]}
                if params.get("reply_to_message_id")
                else None
            )
            if reply:
                replied = self._messages.get((chat["id"], reply.get("message_id")))
                if replied is not None:
                    message["reply_to_message"] = _without_reply(replied)
                elif not reply.get("allow_sending_without_reply"):
                    raise BotApiError(400, "Bad Request: message to be replied not found")
            self._messages[(chat["id"], message["message_id"])] = message
            self._record(
                "message",
                chat["id"],
                {
                    "message": message,
                    "raw_text": params["text"],
                    "parse_mode": params.get("parse_mode"),
                },
            )
            return message

    def _bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise BotApiError(400, "Bad Request: inline messages are not supported by the emulator")
        chat = self._chat(params)
        message = self._messages.get((chat["id"], params.get("message_id")))
        if message is None:
            raise BotApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise BotApiError(400, "Bad Request: message can't be edited")
        return message

    def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            message = self._bot_message(params)
            text, entities = self._render_text(params)
            markup = _check_markup(params.get("reply_markup"))
            if (
                text == message["text"]
                and entities == message.get("entities", [])
                and markup == message.get("reply_markup")
            ):
                raise BotApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            message["text"] = text
            message.pop("entities", None)
            if entities:
                message["entities"] = entities
            _set_markup(message, markup)
            message["edit_date"] = int(time.time())
            self._record(
                "edit_text", message["chat"]["id"], {"message": message, "raw_text": params["text"]}
            )
            return message

    def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            message = self._bot_message(params)
            markup = _check_markup(params.get("reply_markup"))
            if markup == message.get("reply_markup"):
                raise BotApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            _set_markup(message, markup)
            message["edit_date"] = int(time.time())
            self._record("edit_markup", message["chat"]["id"], {"message": message})
            return message

    def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        with self._changed:
            query_id = params.get("callback_query_id")
            query = self._queries.get(str(query_id))
            if query is None or query["answered"]:
                raise BotApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is "
                    "invalid",
                )
            query["answered"] = True
            answer = {key: params[key] for key in ("text", "show_alert", "url") if key in params}
            self._record("callback_answer", None, {"callback_query_id": str(query_id), **answer})
            return True

    def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        with self._changed:
            chat = self._chat(params)
            action = params.get("action")
            if action not in _CHAT_ACTIONS:
                raise BotApiError(400, "Bad Request: wrong parameter action in request")
            self._record("chat_action", chat["id"], {"action": action})
            return True

    def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotApiError(400, "Bad Request: commands must be a list of at most 100 items")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not _BOT_COMMAND_NAME.match(name):
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise BotApiError(400, "Bad Request: command description is invalid")
        with self._changed:
            key = (_scope_key(params.get("scope")), params.get("language_code") or "")
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
            self._record("commands", None, {"scope": key[0], "language_code": key[1]})
            return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.my_commands(params.get("language_code") or "", params.get("scope"))

    def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        with self._changed:
            self._webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._changed.notify_all()
            return True

    def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise BotApiError(400, "Bad Request: bad webhook: invalid URL")
        with self._changed:
            self._webhook = (
                {"url": url, "secret_token": params.get("secret_token")} if url else None
            )
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = list(params["allowed_updates"])
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._changed.notify_all()
            return True

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            return {
                "url": self._webhook["url"] if self._webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }

    def _deliver_webhooks(self) -> None:
        # Push updates one at a time, in order, to the webhook, as Telegram does.
        while True:
            with self._changed:
                while not self._closing and not (self._webhook and self._updates):
                    self._changed.wait()
                if self._closing:
                    return
                hook = dict(self._webhook)
                update = self._updates[0]
            request = urllib.request.Request(
                hook["url"], data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            if hook.get("secret_token"):
                request.add_header("X-Telegram-Bot-Api-Secret-Token", hook["secret_token"])
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    delivered = 200 <= response.status < 300
            except OSError:
                delivered = False
            with self._changed:
                if delivered and self._updates and self._updates[0] is update:
                    self._updates.pop(0)
            if not delivered:
                time.sleep(0.2)


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    return json.dumps(scope, sort_keys=True)


def _as_int(value: Any, name: str, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise BotApiError(400, f"Bad Request: {name} must be an integer") from error


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    # Telegram nests replied-to messages one level deep only.
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


def _check_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None or markup == "":
        return None
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        raise BotApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards and force_reply are accepted, not shown
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise BotApiError(400, "Bad Request: inline keyboard must be an array of button rows")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise BotApiError(400, "Bad Request: inline keyboard button text is empty")
            data = button.get("callback_data")
            url = button.get("url")
            if data is not None:
                if not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                    raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            elif url is not None:
                if not str(url).startswith(("http://", "https://", "tg://")):
                    raise BotApiError(400, "Bad Request: BUTTON_URL_INVALID")
            elif not any(key in button for key in ("switch_inline_query", "callback_game", "pay")):
                raise BotApiError(400, "Bad Request: inline keyboard button has no action")
    return markup


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _RequestHandler(BaseHTTPRequestHandler):
    owner: BotApiEmulator
    protocol_version = "HTTP/1.1"  # keep-alive, as python-telegram-bot's httpx pool expects

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines contain the token; stay quiet

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _params(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        params: dict[str, Any] = {
            name: _decode_form_value(name, value)
            for name, value in parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        }
        if not body:
            return params
        if content_type.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                raise BotApiError(400, "Bad Request: the JSON body must be an object")
            params.update(data)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            for name, value in parse_qsl(body.decode(), keep_blank_values=True):
                params[name] = _decode_form_value(name, value)
        elif content_type.startswith("multipart/form-data"):
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            form = BytesParser(policy=HTTP).parsebytes(head + body)
            for part in form.iter_parts():
                name = part.get_param("name", header="content-disposition")
                content = part.get_content()
                if name and isinstance(content, str):
                    params[name] = _decode_form_value(name, content)
        return params

    def _reply(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may have given up (e.g. a long poll cancelled at shutdown).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        try:
            params = self._params()
        except (ValueError, BotApiError) as error:
            description = getattr(error, "description", f"Bad Request: {error}")
            self._reply(400, {"ok": False, "error_code": 400, "description": description})
            return
        if path.startswith("/control/"):
            self._control(path.removeprefix("/control/"), params)
            return
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if match[1] != self.owner.token:
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            result = self.owner.call(match[2], params)
        except BotApiError as error:
            self._reply(
                error.code,
                {"ok": False, "error_code": error.code, "description": error.description},
            )
            return
        self._reply(200, {"ok": True, "result": result})

    def _control(self, action: str, params: dict[str, Any]) -> None:
        """Serve the JSON control side, for tests that drive the emulator from another process."""
        owner = self.owner
        try:
            user = FakeUser(**params["user"]) if "user" in params else None
            if action == "send_text" and user:
                result: Any = owner.send_text(
                    user, params["text"], chat=params.get("chat"), reply_to=params.get("reply_to")
                )
            elif action == "send_media" and user:
                result = owner.send_media(
                    user, params.get("kind", "sticker"), chat=params.get("chat"),
                    reply_to=params.get("reply_to"), caption=params.get("caption"),
                )  # fmt: skip
            elif action == "press_button" and user:
                result = owner.press_button(user, params["message"], params["callback_data"])
            elif action == "events":
                result = [
                    {"seq": e.seq, "kind": e.kind, "chat_id": e.chat_id, "payload": e.payload}
                    for e in owner.events(
                        params.get("kind"), params.get("chat_id"), int(params.get("since", 0))
                    )
                ]
            elif action == "bot_messages":
                result = owner.bot_messages(int(params["chat_id"]))
            else:
                self._reply(404, {"ok": False, "description": f"unknown control action {action!r}"})
                return
        except (KeyError, TypeError, ValueError) as error:
            self._reply(400, {"ok": False, "description": f"bad control request: {error}"})
            return
        self._reply(200, {"ok": True, "result": result})
