"""Bot API objects the emulator builds, the users a test acts as, and its error reply."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}")


class BotApiError(Exception):
    """A Bot API error reply: HTTP status and description."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters  # ResponseParameters: migrate_to_chat_id, retry_after


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


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    # Telegram nests replied-to messages one level deep only.
    return {key: value for key, value in message.items() if key != "reply_to_message"}
