"""Chat members and chats that refuse messages: getChatMember, blocked chats, migrated groups."""

from __future__ import annotations

from typing import Any

from .methods import BotApiMethods
from .objects import BotApiError

_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
    "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
    "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
)  # fmt: skip


class ChatRules(BotApiMethods):
    """Who administers a group, which chats blocked the bot, which groups became supergroups."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._statuses: dict[tuple[int, int], str] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}

    # --- the test's side --------------------------------------------------------------------------

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Make a user a group's `creator`, `administrator` or plain `member`."""
        with self._changed:
            self._statuses[(chat_id, user_id)] = status

    def block(self, chat_id: int) -> None:
        """Make the chat refuse the bot's messages, as when a user blocks it."""
        with self._changed:
            self._blocked.add(chat_id)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """Turn a group into a supergroup with a new id; messages to the old id are refused."""
        with self._changed:
            old = self._chats[chat_id]
            self._register_chat({**old, "id": new_chat_id, "type": "supergroup"})
            self._migrated[chat_id] = new_chat_id

    # --- the Bot API side -------------------------------------------------------------------------

    def _api_getchatmember(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            chat = self._chat(params)
            user_id = params.get("user_id")
            if not isinstance(user_id, int):
                raise BotApiError(400, "Bad Request: invalid user_id specified")
            status = self._statuses.get((chat["id"], user_id), "member")
            member: dict[str, Any] = {
                "status": status,
                "user": {"id": user_id, "is_bot": False, "first_name": "Member"},
            }
            if status == "administrator":
                member.update({right: right != "is_anonymous" for right in _ADMIN_RIGHTS})
            elif status == "creator":
                member["is_anonymous"] = False
            self._record("get_chat_member", chat["id"], {"user_id": user_id, "status": status})
            return member

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            chat_id = params.get("chat_id")
            if chat_id in self._blocked:
                self._record("refused", chat_id, {"reason": "blocked"})
                raise BotApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id in self._migrated:
                self._record("refused", chat_id, {"reason": "migrated"})
                raise BotApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    parameters={"migrate_to_chat_id": self._migrated[chat_id]},
                )
        return super()._api_sendmessage(params)
