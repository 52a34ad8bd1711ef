"""What the bot says in Telegram: answers and texts (bot/texts) rendered as Telegram HTML."""

from __future__ import annotations

import re
from html import escape

from bot.answers.answer_types import Answer, Citation
from bot.i18n import SUPPORTED, pick_language, text

MESSAGE_LIMIT = 4096  # Telegram's limit on one message's text
LANGUAGES = SUPPORTED
_TITLE_LIMIT = 200
_URL_LIMIT = 1000

COMMANDS = (
    "ask", "status", "sources", "follow", "unfollow", "following", "digest", "help", "start"
)  # fmt: skip


def command_descriptions(language: str) -> dict[str, str]:
    """Return the command menu's descriptions in `language`."""
    return {command: text(language, f"command_{command}") for command in COMMANDS}


ADMIN_COMMAND_DESCRIPTIONS: dict[str, str] = {
    "reindex": "Pick up new articles",
    "stats": "Questions today, abstentions, helpful ratio",
}


def utf16_length(value: str) -> int:
    """Count UTF-16 code units, the unit Telegram measures message length in."""
    return len(value.encode("utf-16-le")) // 2


_BOUNDARIES = (  # (where to cut, what joins the pieces back), safest first
    (re.compile(r"\n+"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…»])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def split_plain_text(value: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut plain text into pieces whose HTML-escaped form fits `limit`, at the safest boundary."""
    if utf16_length(escape(value, quote=False)) <= limit:
        return [value]
    split = _split_at_safest_boundary(value)
    if split is None:
        return _hard_cut(value, limit)
    parts, joiner = split
    pieces: list[str] = []
    current = ""
    for part in parts:
        for fitting in split_plain_text(part, limit):
            candidate = f"{current}{joiner}{fitting}" if current else fitting
            if utf16_length(escape(candidate, quote=False)) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = fitting
    if current:
        pieces.append(current)
    return pieces


def _split_at_safest_boundary(value: str) -> tuple[list[str], str] | None:
    for boundary, joiner in _BOUNDARIES:
        parts = [part for part in boundary.split(value) if part]
        if len(parts) > 1:
            return parts, joiner
    return None


def _hard_cut(value: str, limit: int) -> list[str]:
    # One unbroken run longer than a message: cut between characters, never inside an escape.
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for char in value:
        cost = utf16_length(escape(char, quote=False))
        if used + cost > limit:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += cost
    if current:
        pieces.append("".join(current))
    return pieces


def pack_html(blocks: list[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit `limit` each."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if utf16_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = block
    if current:
        messages.append(current)
    return messages


def plain_to_html(value: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Render plain text (a summary from the service) as escaped HTML messages."""
    blocks = [escape(piece, quote=False) for piece in split_plain_text(value.strip(), limit)]
    return pack_html(blocks, limit, separator="\n") or [escape("…", quote=False)]


def format_citation(citation: Citation) -> str:
    """Render one numbered source line: title (linked), outlet, date."""
    title = citation.title.strip() or citation.source
    if len(title) > _TITLE_LIMIT:
        title = title[: _TITLE_LIMIT - 1].rstrip() + "…"
    label = escape(title, quote=False)
    if citation.url.startswith(("http://", "https://")) and len(citation.url) <= _URL_LIMIT:
        label = f'<a href="{escape(citation.url, quote=True)}">{label}</a>'
    details = escape(f"{citation.source}, {citation.published.isoformat()}", quote=False)
    return f"[{citation.number}] {label} — {details}"


def format_answer(answer: Answer, ui_language: str | None = None) -> list[str]:
    """Render an answer as one or more HTML messages, each under Telegram's limit."""
    language = pick_language(answer.language if answer.language in LANGUAGES else ui_language)
    blocks: list[str] = []
    # The reader's answer is set in bold, once, where it first appears.
    highlight = escape(answer.highlight, quote=False) if answer.highlight else None
    for paragraph in re.split(r"\n\s*\n", answer.text.strip()):
        # Room for the <b></b> around the highlight.
        for piece in split_plain_text(paragraph.strip(), MESSAGE_LIMIT - 7):
            if not piece:
                continue
            block = escape(piece, quote=False)
            if highlight and highlight in block:
                block = block.replace(highlight, f"<b>{highlight}</b>", 1)
                highlight = None
            blocks.append(block)
    # "As of" is the answer's own first line, and only on answers about the current state.
    if answer.reviewed:
        blocks.append("<i>" + escape(text(language, "reviewed_badge"), quote=False) + "</i>")
    if answer.sources:
        heading = "<b>" + escape(text(language, "sources"), quote=False) + "</b>"
        lines = [format_citation(citation) for citation in answer.sources]
        blocks.extend(_source_blocks(heading, lines))
    return pack_html(blocks) or [escape("…", quote=False)]


def _source_blocks(heading: str, lines: list[str]) -> list[str]:
    # Keep the source list together where it fits, else one block per line.
    combined = "\n".join([heading, *lines])
    if utf16_length(combined) <= MESSAGE_LIMIT:
        return [combined]
    return pack_html([heading, *lines], separator="\n")
