"""Query parameters read leniently: a bad value becomes a notice on the page, never an error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import QueryParams

from bot.logstore.crud import QueueFilters
from bot.logstore.models import FEEDBACK_KINDS, VERDICTS

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In multi-line text only the controls a textarea never sends (PostgreSQL refuses NUL).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UID = re.compile(r"[0-9a-f]{32}")


def clean_text(value: str | None, limit: int) -> str:
    """Return the text without control characters (PostgreSQL refuses NUL), trimmed and cut."""
    return _CONTROL.sub("", value or "").strip()[:limit]


def clean_multiline(value: str | None, limit: int) -> str:
    """Return typed text without stray control characters, trimmed and cut."""
    return _CONTROL_IN_TEXT.sub("", value or "").strip()[:limit]


@dataclass
class Parsed:
    """Values read from a query string and what was wrong with it, in words."""

    notices: list[str] = field(default_factory=list)


def whole_number(
    params: QueryParams,
    name: str,
    label: str,
    *,
    default: int,
    minimum: int,
    maximum: int,
    notices: list[str],
) -> int:
    """Read an integer parameter within bounds; note anything not taken as given."""
    raw = clean_text(params.get(name), 40)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        notices.append(f"{label} {raw!r} is not a whole number; showing {default}.")
        return default
    if value < minimum or value > maximum:
        bounded = min(max(value, minimum), maximum)
        notices.append(f"{label} must be between {minimum} and {maximum}; showing {bounded}.")
        return bounded
    return value


def _day(params: QueryParams, name: str, label: str, notices: list[str]) -> date | None:
    raw = clean_text(params.get(name), 40)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        notices.append(f"{label} date {raw!r} is not a date (YYYY-MM-DD); it was ignored.")
        return None


def _yes_no(params: QueryParams, name: str, label: str, notices: list[str]) -> bool | None:
    raw = clean_text(params.get(name), 20).lower()
    if raw and raw not in ("yes", "no"):
        notices.append(f"{label} {raw!r} must be yes or no; it was ignored.")
    return {"yes": True, "no": False}.get(raw)


def _choice(
    params: QueryParams, name: str, label: str, choices: tuple[str, ...], notices: list[str]
) -> str:
    raw = clean_text(params.get(name), 40)
    if raw and raw not in choices:
        notices.append(f"{label} {raw!r} is not one of {', '.join(choices)}; it was ignored.")
        return ""
    return raw


@dataclass
class QueueQuery(Parsed):
    """The queue's filters, the active ones as text (for links), and notices."""

    filters: QueueFilters = field(default_factory=QueueFilters)
    active: dict[str, str] = field(default_factory=dict)
    empty_range: bool = False  # "From" after "To": nothing can match


def queue_query(params: QueryParams) -> QueueQuery:
    """Read the queue filters from a query string."""
    notices: list[str] = []
    date_from = _day(params, "date_from", "“From”", notices)
    date_to = _day(params, "date_to", "“To”", notices)
    empty_range = bool(date_from and date_to and date_from > date_to)
    if empty_range:
        notices.append(
            f"“From” ({date_from}) is after “To” ({date_to}), so no answer can match; "
            "swap the dates."
        )
    order = _choice(params, "order", "Order", ("unreviewed", "newest"), notices)
    filters = QueueFilters(
        date_from=date_from,
        date_to=date_to,
        language=clean_text(params.get("language"), 16),
        abstained=_yes_no(params, "abstained", "Abstained", notices),
        feedback=_choice(params, "feedback", "Feedback", FEEDBACK_KINDS, notices),
        reviewed=_yes_no(params, "reviewed", "Reviewed", notices),
        text=clean_text(params.get("q"), 200),
        verdict=_choice(params, "verdict", "Verdict", VERDICTS, notices),
        served_correction=_yes_no(params, "served", "Served a correction", notices),
        refused=_yes_no(params, "refused", "Refused", notices),
        unreviewed_first=order != "newest",
    )
    as_text = {True: "yes", False: "no", None: ""}
    active = {
        "date_from": date_from.isoformat() if date_from else "",
        "date_to": date_to.isoformat() if date_to else "",
        "language": filters.language,
        "abstained": as_text[filters.abstained],
        "feedback": filters.feedback,
        "reviewed": as_text[filters.reviewed],
        "q": filters.text,
        "verdict": filters.verdict,
        "served": as_text[filters.served_correction],
        "refused": as_text[filters.refused],
        "order": order,
    }
    return QueueQuery(
        notices=notices,
        filters=filters,
        active={key: value for key, value in active.items() if value},
        empty_range=empty_range,
    )
