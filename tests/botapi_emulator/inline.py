"""Inline mode: a user's `@bot query` as an update, and the bot's answerInlineQuery checked."""

from __future__ import annotations

import json
from typing import Any

from .html_check import parse_html
from .members import ChatRules
from .methods import MESSAGE_LIMIT
from .objects import BotApiError, FakeUser, utf16_length

_RESULTS_LIMIT = 50
_RESULT_ID_LIMIT = 64


class InlineQueries(ChatRules):
    """Deliver inline queries and record the results the bot answers them with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bot_user["supports_inline_queries"] = True
        self._inline_ids = iter(range(7_000_000_001, 8_000_000_000))
        self._inline: dict[str, bool] = {}  # query id -> answered

    def send_inline_query(self, user: FakeUser, query: str) -> str:
        """Deliver `@bot <query>` typed by `user`; return the query id."""
        with self._changed:
            query_id = str(next(self._inline_ids))
            self._inline[query_id] = False
            payload = {"id": query_id, "from": user.to_api(), "query": query, "offset": ""}
            self._push_update("inline_query", payload)
            return query_id

    def _api_answerinlinequery(self, params: dict[str, Any]) -> bool:
        with self._changed:
            query_id = str(params.get("inline_query_id"))
            if self._inline.get(query_id) is not False:
                raise BotApiError(400, "Bad Request: query is too old and response timeout expired")
            results = params.get("results")
            if isinstance(results, str):
                results = json.loads(results)
            if not isinstance(results, list) or len(results) > _RESULTS_LIMIT:
                raise BotApiError(400, "Bad Request: RESULTS_TOO_MUCH")
            for result in results:
                _check_article(result)
            self._inline[query_id] = True
            self._record(
                "inline_answer",
                None,
                {
                    "inline_query_id": query_id,
                    "results": results,
                    "cache_time": params.get("cache_time"),
                    "is_personal": bool(params.get("is_personal")),
                },
            )
            return True


def _check_article(result: Any) -> None:
    if not isinstance(result, dict) or result.get("type") != "article":
        raise BotApiError(400, "Bad Request: RESULT_TYPE_INVALID")
    if not 1 <= len(str(result.get("id", "")).encode()) <= _RESULT_ID_LIMIT:
        raise BotApiError(400, "Bad Request: RESULT_ID_INVALID")
    if not result.get("title"):
        raise BotApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
    content = result.get("input_message_content") or {}
    raw = content.get("message_text")
    if not isinstance(raw, str) or not raw.strip():
        raise BotApiError(400, "Bad Request: MESSAGE_EMPTY")
    text = parse_html(raw)[0] if (content.get("parse_mode") or "").lower() == "html" else raw
    if utf16_length(text) > MESSAGE_LIMIT:
        raise BotApiError(400, "Bad Request: MESSAGE_TOO_LONG")
