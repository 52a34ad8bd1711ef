"""Logging in and out, with a review form carried over a login when the session had ended."""

from __future__ import annotations

import asyncio
import math
import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.logstore import crud
from bot.review import auth
from bot.review.deps import CurrentLogin, require_csrf
from bot.review.pages import render
from bot.review.params import UID, clean_multiline, clean_text
from bot.review.throttle import client_address

router = APIRouter()
DRAFT_FIELDS = ("answer_uid", "verdict", "note", "corrected_answer", "approved", "base_version")


def next_target(value: str | None) -> str:
    """Only local paths: never redirect to another site after login."""
    value = clean_text(value, 2000)
    return value if value.startswith("/") and not value.startswith(("//", "/\\")) else "/"


def login_page(
    request: Request,
    *,
    status_code: int = 200,
    next_path: str = "/",
    error: str = "",
    notice: str = "",
    draft: dict[str, Any] | None = None,
) -> Response:
    """Render the login form with a fresh double-submit CSRF cookie (no session exists yet)."""
    token = request.cookies.get(auth.LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        next=next_target(next_path),
        error=error,
        notices=[notice] if notice else [],
        draft={key: _as_field(value) for key, value in (draft or {}).items()},
        csrf_token=token,
        moderator=None,
    )
    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        path="/login",
    )
    return response


def _as_field(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _draft_from(form: dict[str, str]) -> dict[str, Any] | None:
    uid = clean_text(form.get("answer_uid"), 32)
    if not UID.fullmatch(uid):
        return None
    return {
        "answer_uid": uid,
        "verdict": clean_text(form.get("verdict"), 16),
        "note": clean_multiline(form.get("note"), 5000),
        "corrected_answer": clean_multiline(form.get("corrected_answer"), 10000),
        "approved": form.get("approved") in ("on", "yes", "true", "1", "True"),
        "base_version": clean_text(form.get("base_version"), 12),
    }


@router.get("/login")
def show_login(request: Request, next: str = "/") -> Response:
    return login_page(request, next_path=next)


@router.post("/login")
async def log_in(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    form = await request.form()
    draft = _draft_from({key: str(form.get(f"draft_{key}", "")) for key in DRAFT_FIELDS})
    if not auth.tokens_match(request.cookies.get(auth.LOGIN_CSRF_COOKIE), csrf_token):
        return login_page(
            request,
            status_code=403,
            next_path=next,
            error="The login form had expired; log in again.",
            draft=draft,
        )
    state = request.app.state
    address = client_address(request, state.trusted_proxies)
    wait = state.throttle.client_retry_after(address)
    if wait:
        raise StarletteHTTPException(
            429,
            f"Too many failed logins from your address. Try again in {math.ceil(wait / 60)} "
            "minute(s).",
            headers={"Retry-After": str(wait)},
        )
    name = clean_text(name, 200)
    delay = state.throttle.account_delay(name)
    if delay:
        await asyncio.sleep(delay)
    token = await run_in_threadpool(_check_and_start, state.engine, name, password, draft)
    if token is None:
        state.throttle.failed(address, name)
        return login_page(
            request, status_code=401, next_path=next, error="Wrong name or password.", draft=draft
        )
    state.throttle.succeeded(address, name)
    target = f"/answers/{draft['answer_uid']}" if draft else next_target(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=state.secure_cookies,
        path="/",
    )
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/login")
    return response


def _check_and_start(
    engine: Any, name: str, password: str, draft: dict[str, Any] | None
) -> str | None:
    with Session(engine) as session:
        moderator = auth.authenticate(session=session, name=name, password=password)
        if moderator is None:
            return None
        token = auth.start_session(session=session, moderator=moderator, draft=draft)
        session.commit()
        return token


@router.post("/logout")
def log_out(request: Request, login: CurrentLogin, csrf_token: str = Form("")) -> Response:
    require_csrf(login, csrf_token)
    with Session(request.app.state.engine) as session:
        crud.revoke_session(session=session, token_hash=login.token_hash)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response
