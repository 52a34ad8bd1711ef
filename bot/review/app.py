"""The review desk: a server-rendered FastAPI app for moderators, wired from its routers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.logstore import crud
from bot.logstore.database import make_engine, migrate
from bot.logstore.models import utc_now
from bot.review.deps import LoginRequired
from bot.review.pages import SECURITY_HEADERS, STATIC_DIR, error_page, make_templates
from bot.review.routes import answers, audit, dashboard, login, queue
from bot.review.throttle import LoginThrottle, parse_networks

log = logging.getLogger(__name__)


def create_app(
    database_url: str,
    *,
    secure_cookies: bool = False,
    trusted_proxies: Sequence[str] = (),
    throttle: LoginThrottle | None = None,
) -> FastAPI:
    """Build the review desk on a log database (migrated on start-up).

    Sessions live in the database, so they survive a restart and can be revoked.
    `secure_cookies` adds the Secure flag (set it behind HTTPS); `trusted_proxies` lists the
    reverse proxies whose X-Forwarded-For is believed when limiting logins per client.
    """
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:  # ended sessions are kept a day, for the record
        crud.delete_stale_sessions(session=session, before=utc_now() - timedelta(days=1))
        session.commit()
    app = FastAPI(title="negobot review desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.templates = make_templates()
    app.state.secure_cookies = secure_cookies
    app.state.trusted_proxies = parse_networks(trusted_proxies)
    app.state.throttle = throttle or LoginThrottle()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (login.router, queue.router, answers.router, dashboard.router, audit.router):
        app.include_router(router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        response = error_page(request, error.status_code, str(error.detail))
        for header, value in (error.headers or {}).items():
            response.headers[header] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', ())[1:]) or 'request'}: "
            f"{item.get('msg', 'invalid')}"
            for item in error.errors()[:3]
        )
        return error_page(request, 400, f"The request was not understood ({problems}).")

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("review desk error on %s %s", request.method, request.url.path)
        return error_page(request, 500, "Something went wrong on the desk; it was logged.")

    return app
