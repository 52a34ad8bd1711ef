"""The review desk: a server-rendered FastAPI app for moderators."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from bot.logstore import crud
from bot.logstore.crud import QueueFilters
from bot.logstore.database import make_engine, migrate
from bot.logstore.models import FEEDBACK_KINDS, VERDICTS
from bot.review import auth, charts
from bot.review.export import EXPORTERS

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
PAGE_SIZE = 50
SESSION_MAX_AGE_S = 8 * 3600
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


class LoginRequired(Exception):
    """Raised by pages when nobody is logged in; answered with a redirect to /login."""


def _safe_url(value: object) -> str:
    """Return the URL if it is http(s), else '' (no javascript: links from article data)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def _pretty_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value else "—"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def _parse_yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip().lower())


def _filters_from(request: Request) -> tuple[QueueFilters, dict[str, str]]:
    """Read the queue filters from the query string; also return the active ones as text."""
    params = request.query_params
    feedback = params.get("feedback", "")
    filters = QueueFilters(
        date_from=_parse_day(params.get("date_from")),
        date_to=_parse_day(params.get("date_to")),
        language=params.get("language", "").strip()[:16],
        abstained=_parse_yes_no(params.get("abstained")),
        feedback=feedback if feedback in FEEDBACK_KINDS else "",
        reviewed=_parse_yes_no(params.get("reviewed")),
        text=params.get("q", "").strip()[:200],
    )
    active = {
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
        "language": filters.language,
        "abstained": {True: "yes", False: "no"}.get(filters.abstained, ""),  # type: ignore[arg-type]
        "feedback": filters.feedback,
        "reviewed": {True: "yes", False: "no"}.get(filters.reviewed, ""),  # type: ignore[arg-type]
        "q": filters.text,
    }
    return filters, {key: value for key, value in active.items() if value}


def create_app(
    database_url: str,
    *,
    secret_key: str,
    secure_cookies: bool = False,
    login_max_failures: int = 5,
    login_window_s: float = 300.0,
) -> FastAPI:
    """Build the review desk on a log database (migrated on start-up).

    `secret_key` signs the session cookie; `secure_cookies` adds the Secure flag (set it
    behind HTTPS). Logins are refused (429) after `login_max_failures` failures for one
    client address and name within `login_window_s` seconds.
    """
    if not secret_key:
        raise ValueError("the review desk needs a secret key to sign session cookies")
    engine = make_engine(database_url)
    migrate(engine)
    limiter = auth.LoginLimiter(login_max_failures, login_window_s)
    environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True)
    environment.filters["safe_url"] = _safe_url
    environment.filters["percent"] = _percent
    environment.filters["pretty_json"] = _pretty_json
    templates = Jinja2Templates(env=environment)

    app = FastAPI(title="negobot review desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.login_limiter = limiter
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie="negobot_review",
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context.setdefault("moderator", request.session.get(auth.SESSION_USER))
        context["csrf_token"] = auth.csrf_token(request.session)
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def moderator_of(request: Request) -> str:
        name = request.session.get(auth.SESSION_USER)
        if not isinstance(name, str) or not name:
            raise LoginRequired()
        return name

    def require_csrf(request: Request, token: str) -> None:
        if not auth.csrf_matches(request.session, token):
            raise StarletteHTTPException(
                403, "The form has expired or did not come from this desk."
            )

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, error: StarletteHTTPException) -> Response:
        response = render(
            request,
            "error.html",
            status_code=error.status_code,
            status=error.status_code,
            message=str(error.detail),
        )
        for header, value in (error.headers or {}).items():
            response.headers[header] = value
        return response

    # --- login -----------------------------------------------------------------------------------

    def _next_target(value: str | None) -> str:
        # Only local paths: never redirect to another site after login.
        return value if value and value.startswith("/") and not value.startswith("//") else "/"

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> Response:
        return render(request, "login.html", next=_next_target(next), error="")

    @app.post("/login", response_class=HTMLResponse)
    def login(
        request: Request,
        name: str = Form(""),
        password: str = Form(""),
        csrf_token: str = Form(""),
        next: str = Form("/"),
    ) -> Response:
        require_csrf(request, csrf_token)
        address = request.client.host if request.client else "unknown"
        wait = limiter.retry_after(address, name)
        if wait:
            raise StarletteHTTPException(
                429,
                f"Too many failed logins. Try again in {math.ceil(wait / 60)} minute(s).",
                headers={"Retry-After": str(wait)},
            )
        with Session(engine) as session:
            moderator = auth.authenticate(session=session, name=name, password=password)
            moderator_name = moderator.name if moderator else None
        if moderator_name is None:
            limiter.failed(address, name)
            return render(
                request,
                "login.html",
                status_code=401,
                next=_next_target(next),
                error="Wrong name or password.",
            )
        limiter.succeeded(address, name)
        request.session.clear()  # a fresh session (and CSRF token) after login
        request.session[auth.SESSION_USER] = moderator_name
        return RedirectResponse(_next_target(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf_token: str = Form("")) -> Response:
        require_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # --- the queue -------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request, page: int = 1) -> Response:
        moderator_of(request)
        filters, active = _filters_from(request)
        page = max(1, page)
        with Session(engine) as session:
            total = crud.count_answers(session=session, filters=filters)
            rows = crud.list_answers(
                session=session, filters=filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
            known_languages = crud.languages(session=session)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        return render(
            request,
            "queue.html",
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            active=active,
            query=urlencode(active),
            page_query=lambda number: urlencode({**active, "page": number}),
            languages=known_languages,
            feedback_kinds=FEEDBACK_KINDS,
        )

    @app.get("/answers/{uid}", response_class=HTMLResponse)
    def detail(request: Request, uid: str, saved: int = 0) -> Response:
        moderator_of(request)
        with Session(engine) as session:
            answer = crud.get_answer(session=session, uid=uid)
            if answer is None:
                raise StarletteHTTPException(404, "No logged answer has that id.")
            review = crud.get_review(session=session, answer_uid=uid)
            feedback = crud.feedback_for(session=session, answer_uid=uid)
            history = crud.audit_entries(session=session, answer_uid=uid)
        passages = sorted(answer.retrieved or [], key=lambda item: -float(item.get("score") or 0.0))
        return render(
            request,
            "detail.html",
            answer=answer,
            passages=passages,
            review=review,
            feedback=feedback,
            history=history,
            verdicts=VERDICTS,
            saved=bool(saved),
            error="",
        )

    @app.post("/answers/{uid}/review")
    def review_answer(
        request: Request,
        uid: str,
        verdict: str = Form(""),
        note: str = Form(""),
        corrected_answer: str = Form(""),
        approved: str = Form(""),
        csrf_token: str = Form(""),
    ) -> Response:
        moderator = moderator_of(request)
        require_csrf(request, csrf_token)
        with Session(engine) as session:
            if crud.get_answer(session=session, uid=uid) is None:
                raise StarletteHTTPException(404, "No logged answer has that id.")
            try:
                crud.save_review(
                    session=session,
                    answer_uid=uid,
                    moderator=moderator,
                    verdict=verdict,
                    note=note.strip()[:5000],
                    corrected_answer=corrected_answer.strip()[:10000],
                    approved=approved in ("on", "yes", "true", "1"),
                )
            except ValueError as error:
                session.rollback()
                raise StarletteHTTPException(400, str(error)) from error
            session.commit()
        return RedirectResponse(f"/answers/{uid}?saved=1", status_code=303)

    # --- dashboard, audit, export ----------------------------------------------------------------

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request, days: int = 30) -> Response:
        moderator_of(request)
        days = min(max(days, 1), 366)
        today = datetime.now(UTC).date()
        first_day = today - timedelta(days=days - 1)
        since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
        with Session(engine) as session:
            per_day = crud.daily_counts(session=session, first_day=first_day, last_day=today)
            totals = crud.stats(session=session, since=since)
            unanswered = crud.top_unanswered(session=session, since=since, limit=10)
        labels = [day.day.strftime("%d %b") for day in per_day]
        questions_chart = charts.stacked_bar_chart(
            "Questions per day",
            labels,
            [
                ("answered", [d.questions - d.abstained for d in per_day], "bar-answered"),
                ("abstained", [d.abstained for d in per_day], "bar-abstained"),
            ],
        )
        abstention_chart = charts.rate_line_chart(
            "Abstention rate per day", labels, [d.abstention_rate for d in per_day]
        )
        helpful_chart = charts.rate_line_chart(
            "Helpful ratio per day", labels, [d.helpful_ratio for d in per_day]
        )
        unanswered_chart = charts.horizontal_bar_chart("Top unanswered questions", unanswered)
        return render(
            request,
            "dashboard.html",
            days=days,
            totals=totals,
            unanswered=unanswered,
            questions_chart=questions_chart,
            abstention_chart=abstention_chart,
            helpful_chart=helpful_chart,
            unanswered_chart=unanswered_chart,
        )

    @app.get("/audit", response_class=HTMLResponse)
    def audit(request: Request) -> Response:
        moderator_of(request)
        with Session(engine) as session:
            entries = crud.audit_entries(session=session, limit=500)
        return render(request, "audit.html", entries=entries)

    @app.get("/export.{kind}")
    def export(request: Request, kind: str) -> Response:
        moderator_of(request)
        if kind not in EXPORTERS:
            raise StarletteHTTPException(404, "Export as .csv or .jsonl.")
        filters, _ = _filters_from(request)
        produce, media_type = EXPORTERS[kind]
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return StreamingResponse(
            produce(engine, filters),
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="negobot-log-{stamp}.{kind}"'},
        )

    return app
