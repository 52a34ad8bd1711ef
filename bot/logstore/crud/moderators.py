"""Moderator accounts."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.logstore.models import (
    Moderator,
)


class ModeratorExistsError(ValueError):
    """A moderator with that name is already registered."""


def get_moderator(*, session: Session, name: str) -> Moderator | None:
    """Return the moderator with this name, or None."""
    return session.exec(select(Moderator).where(col(Moderator.name) == name)).first()


def create_moderator(*, session: Session, name: str, password_hash: str) -> Moderator:
    """Register a moderator; raise ModeratorExistsError if the name is taken."""
    if get_moderator(session=session, name=name) is not None:
        raise ModeratorExistsError(f"moderator {name!r} already exists")
    moderator = Moderator(name=name, password_hash=password_hash)
    session.add(moderator)
    return moderator
