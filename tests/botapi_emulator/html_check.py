"""Check Telegram HTML: turn it into text and entities, or reject it as Telegram does."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from .objects import BotApiError, utf16_length

_HTML_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link", "code": "code", "pre": "pre", "tg-spoiler": "spoiler",
    "blockquote": "blockquote", "span": "spoiler",
}  # fmt: skip
_STRAY_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_STRAY_LESS_THAN = re.compile(r"<(?!/?[a-zA-Z])")


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
