"""Pseudonymous user keys: the same person maps to the same key, but the key does not reveal who."""

from __future__ import annotations

import hashlib
import hmac

USER_KEY_LENGTH = 20


def user_key(user_id: int, secret: str) -> str:
    """Return a keyed hash (HMAC-SHA256, hex, 20 chars) of a Telegram user id."""
    digest = hmac.new(secret.encode("utf-8"), str(int(user_id)).encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:USER_KEY_LENGTH]
