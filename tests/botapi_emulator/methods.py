"""The Bot API methods negobot calls, with the checks and error replies Telegram gives."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .html_check import parse_html
from .objects import BotApiError, _without_reply, utf16_length
from .state import EmulatorState, _scope_key

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
_CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
_UPDATE_TYPES = {"message", "edited_message", "callback_query", "channel_post", "inline_query"}
_BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class BotApiMethods(EmulatorState):
    """Answer Bot API calls; `_api_<method>` implements a method, named in lowercase."""

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one Bot API method and return its result, or raise BotApiError."""
        handler = getattr(self, "_api_" + method.lower(), None)
        if handler is None:
            raise BotApiError(404, "Not Found")
        self.method_calls[method] += 1
        return handler(params)

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
                    "reply_markup": markup,  # force_reply too, which the message does not show
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
        with self._changed:
            return self._command_list(params.get("language_code") or "", params.get("scope"))

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


def _as_int(value: Any, name: str, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise BotApiError(400, f"Bad Request: {name} must be an integer") from error


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
