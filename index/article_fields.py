"""Turn the fields of one article record (JSONL line, front matter, HTML page) into an Article."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from index.documents import Article, LoadProblem
from index.normalize import detect_language, normalize_text

_LANGUAGE_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$")


def build_article(
    path: Path | str, fields: dict[str, Any], body: Any, line: int | None
) -> Article | LoadProblem:
    """Validate the fields of one record and turn them into an Article."""
    reasons: list[str] = []
    title = _text_field(fields, "title", reasons)
    text = _text_value("text", body, reasons)
    published = _published(fields.get("published"), reasons)
    source = _text_field(fields, "source", reasons)
    if reasons:
        return LoadProblem(str(path), "; ".join(reasons), line)
    assert published is not None  # for type checkers: no reasons means it parsed
    title = " ".join(title.split())  # titles are single-line
    text = _without_repeated_title(text, title)
    return Article(
        title=title,
        text=text,
        published=published,
        source=" ".join(source.split()),
        url=_optional_text(fields.get("url")),
        language=_language(fields.get("language"), title, text),
        id=_optional_text(fields.get("id")),
    )


def _without_repeated_title(text: str, title: str) -> str:
    """Drop a leading heading that only repeats the title (Markdown '# Title' or an HTML <h1>)."""
    first, _, rest = text.partition("\n\n")
    if rest and " ".join(first.lstrip("#").split()) == title:
        return rest
    return text


def _text_field(fields: dict[str, Any], name: str, reasons: list[str]) -> str:
    return _text_value(name, fields.get(name), reasons)


def _text_value(name: str, value: Any, reasons: list[str]) -> str:
    if value is None:
        reasons.append(f"missing {name}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        reasons.append(f"{name} must be text, not {json_kind(value)}")
        return ""
    normalized = normalize_text(str(value))
    if not normalized:
        reasons.append(f"empty {name}")
    return normalized


def _optional_text(value: Any) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return normalize_text(str(value))


def _published(value: Any, reasons: list[str]) -> date | None:
    """Accept YAML dates/datetimes and ISO date or datetime strings; keep the calendar date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        reasons.append("missing published date")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        candidate = value.strip()
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(candidate).date()
        except ValueError:
            pass
    reasons.append(f"published {value!r} is not an ISO date (expected e.g. 2025-06-02)")
    return None


def _language(value: Any, title: str, text: str) -> str:
    """Use a valid declared language code, else detect it from the title and text."""
    if isinstance(value, str):
        match = _LANGUAGE_CODE.match(value.strip().lower())
        if match:
            return match.group(1)
    return detect_language(f"{title}\n\n{text}")


def json_kind(value: Any) -> str:
    """Name a JSON value's type as JSON does (array, string, number, ...)."""
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)
