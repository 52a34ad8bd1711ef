"""Rendering the desk's pages: the Jinja environment, its filters and the security headers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from bot.review import diffs

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
SECURITY_HEADERS = {
    # The desk needs no scripts at all, so none may run even if something slipped through.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ABSTAIN_REASON_TEXT = {
    "outside_dates": "the question asks about a time outside the library's dates",
    "below_threshold": "no passage was close enough to the question (cosine below the threshold)",
    "off_topic": "the question is off the bot's subject (scope guard)",
    "no_answer_found": "the reader found no answer in the retrieved passages",
}
REFUSAL_TEXT = {"too_long": "too long", "empty": "empty"}


def _safe_url(value: object) -> str:
    """Return the URL if it is http(s), else '' (no javascript: links from article data)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def _pretty_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value else "—"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _number(value: object, pattern: str = "%.3f") -> str:
    return (
        pattern % value if isinstance(value, int | float) and not isinstance(value, bool) else "—"
    )


def make_templates() -> Jinja2Templates:
    """Return the desk's templates with its filters registered."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True)
    environment.filters["safe_url"] = _safe_url
    environment.filters["percent"] = _percent
    environment.filters["pretty_json"] = _pretty_json
    environment.filters["number"] = _number
    environment.filters["review_changes"] = diffs.review_changes
    environment.globals["abstain_reason_text"] = ABSTAIN_REASON_TEXT
    environment.globals["refusal_text"] = REFUSAL_TEXT
    return Jinja2Templates(env=environment)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page; the logged-in moderator (if any) and CSRF token come from the request."""
    login = getattr(request.state, "login", None)
    context.setdefault("moderator", login.name if login else None)
    context.setdefault("role", login.role if login else None)
    context.setdefault("csrf_token", login.csrf_token if login else "")
    context.setdefault("notices", [])
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status: int, message: str) -> Response:
    """The desk's own error page, with the security headers even outside the middleware."""
    try:
        response = render(request, "error.html", status_code=status, status=status, message=message)
    except Exception:  # the template itself failed: plain HTML still beats a bare traceback
        response = HTMLResponse(f"<h1>{status}</h1>", status_code=status)
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response
