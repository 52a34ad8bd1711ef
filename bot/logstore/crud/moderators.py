"""Moderator accounts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.logstore.models import ROLES, DeskSession, Moderator, utc_now


class ModeratorExistsError(ValueError):
    """A moderator with that name is already registered."""


class UnknownModeratorError(LookupError):
    """No moderator has that name."""


def get_moderator(*, session: Session, name: str) -> Moderator | None:
    """Return the moderator with this name, or None."""
    return session.exec(select(Moderator).where(col(Moderator.name) == name)).first()


def get_moderator_by_id(*, session: Session, moderator_id: int) -> Moderator | None:
    """Return the moderator with this database id, or None."""
    return session.get(Moderator, moderator_id)


def list_moderators(*, session: Session) -> list[Moderator]:
    """Return every moderator, in the order they were added."""
    statement = select(Moderator).order_by(col(Moderator.created_at), col(Moderator.id))
    return list(session.exec(statement).all())


def create_moderator(
    *, session: Session, name: str, password_hash: str, role: str | None = None
) -> Moderator:
    """Register a moderator; the first one is an approver unless a role is given.

    Raises ModeratorExistsError if the name is taken, ValueError for an unknown role.
    """
    if get_moderator(session=session, name=name) is not None:
        raise ModeratorExistsError(f"moderator {name!r} already exists")
    if role is None:
        others = session.exec(select(sa.func.count()).select_from(Moderator)).one()
        role = "reviewer" if others else "approver"
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    moderator = Moderator(name=name, password_hash=password_hash, role=role)
    session.add(moderator)
    return moderator


def _existing(session: Session, name: str) -> Moderator:
    moderator = get_moderator(session=session, name=name)
    if moderator is None:
        raise UnknownModeratorError(f"no moderator is called {name!r}")
    return moderator


def revoke_sessions_of(*, session: Session, moderator_id: int) -> int:
    """End every live session of a moderator; return how many were live."""
    result = session.exec(
        sa.update(DeskSession)  # type: ignore[call-overload]
        .where(col(DeskSession.moderator_id) == moderator_id)
        .where(col(DeskSession.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )
    return int(result.rowcount or 0)


def remove_moderator(*, session: Session, name: str) -> Moderator:
    """Delete a moderator and their sessions (reviews and the audit keep the name as text)."""
    moderator = _existing(session, name)
    session.exec(
        sa.delete(DeskSession).where(col(DeskSession.moderator_id) == moderator.id)  # type: ignore[call-overload]
    )
    session.delete(moderator)
    return moderator


def set_disabled(*, session: Session, name: str, disabled: bool) -> Moderator:
    """Disable (ending their sessions) or re-enable a moderator."""
    moderator = _existing(session, name)
    moderator.disabled = disabled
    session.add(moderator)
    if disabled and moderator.id is not None:
        revoke_sessions_of(session=session, moderator_id=moderator.id)
    return moderator


def set_password_hash(*, session: Session, name: str, password_hash: str) -> Moderator:
    """Replace a moderator's password hash and end their sessions."""
    moderator = _existing(session, name)
    moderator.password_hash = password_hash
    session.add(moderator)
    if moderator.id is not None:
        revoke_sessions_of(session=session, moderator_id=moderator.id)
    return moderator


def set_role(*, session: Session, name: str, role: str) -> Moderator:
    """Make a moderator a reviewer or an approver."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    moderator = _existing(session, name)
    moderator.role = role
    session.add(moderator)
    return moderator
