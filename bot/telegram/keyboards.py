"""Inline keyboards under answers and the callback data their buttons carry."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import text
from bot.service import FeedbackKind

CALLBACK_PREFIX = "fb"
_CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit
_KIND_CODES: dict[FeedbackKind, str] = {"helpful": "h", "not_helpful": "n", "report": "r"}
_CODE_KINDS: dict[str, FeedbackKind] = {code: kind for kind, code in _KIND_CODES.items()}
DONE_DATA = f"{CALLBACK_PREFIX}:done"


def feedback_data(kind: FeedbackKind, answer_uid: str) -> str:
    """Return the callback data for a feedback press on one logged answer."""
    return f"{CALLBACK_PREFIX}:{_KIND_CODES[kind]}:{answer_uid}"


def parse_feedback_data(data: str | None) -> tuple[FeedbackKind, str] | None:
    """Return (kind, answer uid) from callback data, or None if it is not a feedback press."""
    parts = (data or "").split(":", 2)
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX or parts[1] not in _CODE_KINDS:
        return None
    if not parts[2]:
        return None
    return _CODE_KINDS[parts[1]], parts[2]


def feedback_keyboard(answer_uid: str | None, language: str) -> InlineKeyboardMarkup | None:
    """Return helpful / not helpful / report buttons for an answer, if it was logged."""
    if not answer_uid or len(feedback_data("not_helpful", answer_uid).encode()) > (
        _CALLBACK_DATA_LIMIT
    ):
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(language, "button_helpful"),
                    callback_data=feedback_data("helpful", answer_uid),
                ),
                InlineKeyboardButton(
                    text(language, "button_not_helpful"),
                    callback_data=feedback_data("not_helpful", answer_uid),
                ),
            ],
            [
                InlineKeyboardButton(
                    text(language, "button_report"),
                    callback_data=feedback_data("report", answer_uid),
                )
            ],
        ]
    )


def thanks_keyboard(language: str) -> InlineKeyboardMarkup:
    """Return the single inert button that replaces the feedback buttons after a press."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text(language, "thanks_button"), callback_data=DONE_DATA)]]
    )
