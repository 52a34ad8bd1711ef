"""Moderator passwords (argon2), server-side login sessions and CSRF tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session

from bot.logstore import crud
from bot.logstore.models import Moderator, utc_now

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64
SESSION_COOKIE = "negobot_review"
LOGIN_CSRF_COOKIE = "negobot_login_csrf"
SESSION_LIFETIME = timedelta(hours=12)
# A session nobody used for this long ends, whatever its expiry.
SESSION_IDLE = timedelta(hours=2)
# last_seen_at is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Login:
    """Who is logged in on this request, and the session's CSRF token."""

    name: str
    role: str
    csrf_token: str
    token_hash: str
    draft: dict[str, Any] | None = None

    @property
    def may_approve(self) -> bool:
        return self.role == "approver"


def hash_password(password: str) -> str:
    """Return an argon2id hash of a password."""
    return _hasher.hash(password)


def check_new_password(password: str) -> None:
    """Raise ValueError with a one-line reason if a new password is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


def check_moderator_name(name: str) -> str:
    """Return the cleaned name, or raise ValueError with a one-line reason."""
    cleaned = name.strip()
    if not cleaned:
        raise ValueError("moderator name must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValueError(f"moderator name must be at most {MAX_NAME_LENGTH} characters")
    if any(not character.isprintable() for character in cleaned):
        raise ValueError("moderator name must be printable text")
    return cleaned


def add_moderator(
    *, session: Session, name: str, password: str, role: str | None = None
) -> Moderator:
    """Validate and register a moderator (raises ValueError / ModeratorExistsError)."""
    cleaned = check_moderator_name(name)
    check_new_password(password)
    return crud.create_moderator(
        session=session, name=cleaned, password_hash=hash_password(password), role=role
    )


def reset_password(*, session: Session, name: str, password: str) -> Moderator:
    """Give a moderator a new password and end their sessions."""
    check_new_password(password)
    return crud.set_password_hash(session=session, name=name, password_hash=hash_password(password))


def authenticate(*, session: Session, name: str, password: str) -> Moderator | None:
    """Return the enabled moderator if the name and password match, else None."""
    moderator = crud.get_moderator(session=session, name=name.strip()[:MAX_NAME_LENGTH])
    try:
        _hasher.verify(moderator.password_hash if moderator else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if moderator is None or moderator.disabled:
        return None
    if _hasher.check_needs_rehash(moderator.password_hash):
        moderator.password_hash = hash_password(password)
        session.add(moderator)
        session.commit()
    return moderator


def token_hash(token: str) -> str:
    """Return the SHA-256 of a session token: the table never holds a usable token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start_session(
    *, session: Session, moderator: Moderator, draft: dict[str, Any] | None = None
) -> str:
    """Create a session for a moderator and return its token (for the cookie); caller commits."""
    assert moderator.id is not None
    token = secrets.token_urlsafe(32)
    crud.create_session(
        session=session,
        moderator_id=moderator.id,
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utc_now() + SESSION_LIFETIME,
        draft=draft,
    )
    return token


def resume_session(*, session: Session, token: str | None) -> Login | None:
    """Return who a session cookie belongs to, if the session is live; note it was used."""
    if not token or len(token) > 200:
        return None
    hashed = token_hash(token)
    found = crud.live_session(session=session, token_hash=hashed)
    if found is None:
        return None
    desk_session, moderator = found
    now = utc_now()
    if now - desk_session.last_seen_at > SESSION_IDLE:
        return None
    if now - desk_session.last_seen_at > TOUCH_EVERY:
        desk_session.last_seen_at = now
        session.add(desk_session)
        session.commit()
    return Login(
        moderator.name, moderator.role, desk_session.csrf_token, hashed, desk_session.draft
    )


def take_draft(*, session: Session, login: Login) -> dict[str, Any] | None:
    """Return the review form kept over a login, and forget it (it is shown once)."""
    if not login.draft:
        return None
    found = crud.live_session(session=session, token_hash=login.token_hash)
    if found is not None:
        found[0].draft = None
        session.add(found[0])
        session.commit()
    return login.draft


def tokens_match(expected: str | None, submitted: str | None) -> bool:
    """Compare a CSRF token in constant time."""
    if not expected or not submitted:
        return False
    return secrets.compare_digest(expected.encode(), submitted.encode("utf-8", "replace"))
