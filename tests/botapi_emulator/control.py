"""The test's side of the emulator: act as users, then read and wait for what the bot did."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from .objects import Event, FakeUser, auto_entities
from .state import EmulatorState


class ControlSide(EmulatorState):
    """Drive the emulator as users and observe the bot, for tests that run it in-process."""

    # --- acting as users --------------------------------------------------------------------------

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
        """Deliver a sticker, photo, document or voice message from `user`."""
        media: dict[str, Any] = {
            "sticker": {
                "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADsticker", "type": "regular",
                "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
            },
            "photo": [
                {"file_id": "AgACAgIAAxkBAAE", "file_unique_id": "AQADphoto", "width": 90,
                 "height": 90, "file_size": 1200},
            ],
            "document": {
                "file_id": "BQACAgIAAxkBAAE", "file_unique_id": "AgADdoc", "file_name": "talks.pdf",
                "mime_type": "application/pdf", "file_size": 20000,
            },
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

    # --- reading what the bot did -----------------------------------------------------------------

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
            return self._command_list(language_code, scope)

    def drain_updates(self) -> list[dict[str, Any]]:
        """Take every pending update (for feeding an application directly, without polling)."""
        with self._changed:
            updates, self._updates = self._updates, []
            return updates

    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        with self._changed:
            return len(self._updates)
