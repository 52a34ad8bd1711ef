"""Moderator passwords (argon2), login rate limiting and per-session CSRF tokens."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session

from bot.logstore import crud
from bot.logstore.models import Moderator

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64
SESSION_USER = "moderator"
SESSION_CSRF = "csrf"

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


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


def add_moderator(*, session: Session, name: str, password: str) -> Moderator:
    """Validate and register a moderator (raises ValueError / ModeratorExistsError)."""
    cleaned = check_moderator_name(name)
    check_new_password(password)
    return crud.create_moderator(
        session=session, name=cleaned, password_hash=hash_password(password)
    )


def authenticate(*, session: Session, name: str, password: str) -> Moderator | None:
    """Return the moderator if the name and password match, else None."""
    moderator = crud.get_moderator(session=session, name=name.strip())
    try:
        _hasher.verify(moderator.password_hash if moderator else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if moderator is None:
        return None
    if _hasher.check_needs_rehash(moderator.password_hash):
        moderator.password_hash = hash_password(password)
        session.add(moderator)
        session.commit()
    return moderator


class LoginLimiter:
    """Refuse logins after too many recent failures for one client address and name."""

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, address: str, name: str) -> int:
        """Return seconds until another try is allowed (0: allowed now)."""
        key = (address, name.strip().lower())
        now = time.monotonic()
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) < self.max_failures:
                return 0
            return max(1, int(failures[0] + self.window_s - now) + 1)

    def failed(self, address: str, name: str) -> None:
        """Count one failed login."""
        key = (address, name.strip().lower())
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the failures once the right password was given."""
        with self._lock:
            self._failures.pop((address, name.strip().lower()), None)


def csrf_token(session: dict[str, object]) -> str:
    """Return the session's CSRF token, creating one if needed."""
    token = session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_CSRF] = token
    return token


def csrf_matches(session: dict[str, object], submitted: str | None) -> bool:
    """Tell whether a submitted form carries this session's CSRF token."""
    expected = session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not expected or not submitted:
        return False
    return secrets.compare_digest(expected.encode(), submitted.encode())
