"""The emulator's shared state: chats, messages, pending updates, the log of bot actions."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from .objects import Event, FakeUser, _without_reply, private_chat

DEFAULT_TOKEN = "123456789:TEST_token_for_the_emulator"


class EmulatorState:
    """Hold one bot's chats, messages and updates under one lock that also signals changes."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
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

    # The helpers below expect the caller to hold self._changed, so each action stays atomic.

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

    def _record(self, kind: str, chat_id: int | None, payload: dict[str, Any]) -> None:
        # A snapshot: later edits must not rewrite what was sent at the time.
        snapshot = json.loads(json.dumps(payload))
        event = Event(len(self._events), kind, chat_id, snapshot)
        self._events.append(event)
        self._events_by_chat.setdefault(chat_id, []).append(event)
        self._changed.notify_all()

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

    def _command_list(self, language_code: str, scope: Any) -> list[dict[str, str]]:
        return self._commands.get((_scope_key(scope), language_code), [])


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    return json.dumps(scope, sort_keys=True)
