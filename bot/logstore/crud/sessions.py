"""Review desk sessions: created at login, looked up on every request, revocable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import DeskSession, Moderator, utc_now


def create_session(
    *,
    session: Session,
    moderator_id: int,
    token_hash: str,
    csrf_token: str,
    expires_at: datetime,
    draft: dict[str, Any] | None = None,
) -> DeskSession:
    """Start a session for a moderator (the caller commits)."""
    desk_session = DeskSession(
        token_hash=token_hash,
        moderator_id=moderator_id,
        csrf_token=csrf_token,
        expires_at=expires_at,
        draft=draft,
    )
    session.add(desk_session)
    return desk_session


def live_session(
    *, session: Session, token_hash: str, now: datetime | None = None
) -> tuple[DeskSession, Moderator] | None:
    """Return a session and its moderator if it is unexpired, unrevoked and the account enabled."""
    now = now or utc_now()
    statement = (
        select(DeskSession, Moderator)
        .join(Moderator, col(Moderator.id) == col(DeskSession.moderator_id))
        .where(col(DeskSession.token_hash) == token_hash)
        .where(col(DeskSession.revoked_at).is_(None))
        .where(col(DeskSession.expires_at) > now)
        .where(col(Moderator.disabled).is_(False))
    )
    found = session.exec(statement).first()
    return None if found is None else (found[0], found[1])


def revoke_session(*, session: Session, token_hash: str) -> None:
    """End one session (logout)."""
    session.exec(
        sa.update(DeskSession)  # type: ignore[call-overload]
        .where(col(DeskSession.token_hash) == token_hash)
        .where(col(DeskSession.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )


def live_session_counts(*, session: Session) -> dict[int, int]:
    """Return {moderator id: live sessions}."""
    statement = (
        select(DeskSession.moderator_id, sa.func.count())
        .where(col(DeskSession.revoked_at).is_(None))
        .where(col(DeskSession.expires_at) > utc_now())
        .group_by(col(DeskSession.moderator_id))
    )
    return {int(moderator_id): int(count) for moderator_id, count in session.exec(statement)}


def delete_stale_sessions(*, session: Session, before: datetime) -> int:
    """Delete sessions that expired or were revoked before a moment; return the count."""
    result = session.exec(
        sa.delete(DeskSession).where(  # type: ignore[call-overload]
            sa.or_(col(DeskSession.expires_at) < before, col(DeskSession.revoked_at) < before)
        )
    )
    return int(result.rowcount or 0)
