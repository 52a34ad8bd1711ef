"""Request dependencies: the database session and who is logged in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.review import auth
from bot.review.auth import Login


class LoginRequired(Exception):
    """Raised by pages when nobody is logged in; answered with a redirect to /login."""


def optional_login(request: Request, session: Session) -> Login | None:
    """Return who is logged in (also kept on request.state for rendering), or None."""
    login = auth.resume_session(session=session, token=request.cookies.get(auth.SESSION_COOKIE))
    request.state.login = login
    return login


def current_login(request: Request) -> Login:
    """Return who is logged in, or raise LoginRequired."""
    with Session(request.app.state.engine) as session:
        login = optional_login(request, session)
    if login is None:
        raise LoginRequired()
    return login


def require_csrf(login: Login, token: str) -> None:
    """Refuse a form that does not carry this session's CSRF token."""
    if not auth.tokens_match(login.csrf_token, token):
        raise StarletteHTTPException(403, "The form has expired or did not come from this desk.")


CurrentLogin = Annotated[Login, Depends(current_login)]
