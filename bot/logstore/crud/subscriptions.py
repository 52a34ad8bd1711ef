"""Subscriptions: follow and unfollow tracks per chat, list them, find a track's followers."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.logstore.alert_models import EVERYTHING, AlertOutbox, ChatDigest, Subscription


def follow(*, session: Session, chat_id: int, track_id: str, language: str) -> bool:
    """Make a chat follow a track (EVERYTHING for all); return False if it already did."""
    existing = session.exec(
        select(Subscription).where(
            Subscription.chat_id == chat_id, Subscription.track_id == track_id
        )
    ).first()
    if existing is not None:
        existing.language = language  # alerts follow whoever set the subscription last
        session.add(existing)
        session.commit()
        return False
    session.add(Subscription(chat_id=chat_id, track_id=track_id, language=language))
    try:
        session.commit()
    except IntegrityError:  # the same /follow from another replica won the race
        session.rollback()
        return False
    return True


def unfollow(*, session: Session, chat_id: int, track_id: str | None) -> int:
    """Stop a chat following one track, or (None) everything; return how many were removed."""
    statement = sa.delete(Subscription).where(col(Subscription.chat_id) == chat_id)
    if track_id is not None:
        statement = statement.where(col(Subscription.track_id) == track_id)
    removed = session.exec(statement).rowcount  # type: ignore[attr-defined]
    session.commit()
    return int(removed or 0)


def following(*, session: Session, chat_id: int) -> list[str]:
    """Return the track ids a chat follows (EVERYTHING first, then by id)."""
    rows = session.exec(select(Subscription.track_id).where(Subscription.chat_id == chat_id)).all()
    return sorted(rows, key=lambda track: (track != EVERYTHING, track))


def followers(*, session: Session, track_id: str) -> dict[int, str]:
    """Return the chats following a track or everything, each with the language to write in.

    A chat following both reads the track's alert in the language set for that track.
    """
    rows = session.exec(
        select(Subscription).where(col(Subscription.track_id).in_([track_id, EVERYTHING]))
    ).all()
    chats: dict[int, str] = {}
    for row in sorted(rows, key=lambda row: row.track_id == track_id):
        chats[row.chat_id] = row.language
    return chats


def drop_chat(*, session: Session, chat_id: int) -> int:
    """Forget a chat that blocked the bot or is gone: subscriptions, digest, pending alerts."""
    removed = session.exec(
        sa.delete(  # type: ignore[call-overload]
            Subscription
        ).where(col(Subscription.chat_id) == chat_id)
    ).rowcount  # type: ignore[attr-defined]
    session.exec(
        sa.update(AlertOutbox)
        .where(col(AlertOutbox.chat_id) == chat_id, col(AlertOutbox.status) == "pending")
        .values(status="dropped", error="chat gone")
    )
    session.exec(
        sa.delete(ChatDigest).where(col(ChatDigest.chat_id) == chat_id)  # type: ignore[call-overload]
    )
    session.commit()
    return int(removed or 0)


def move_chat(*, session: Session, old_chat_id: int, new_chat_id: int) -> None:
    """Move a group's subscriptions and digest to the supergroup it became (keeping its own)."""
    kept = set(following(session=session, chat_id=new_chat_id))
    moved: Iterable[Subscription] = session.exec(
        select(Subscription).where(Subscription.chat_id == old_chat_id)
    ).all()
    for subscription in moved:
        if subscription.track_id in kept:
            session.delete(subscription)
        else:
            subscription.chat_id = new_chat_id
            session.add(subscription)
    digests = {
        row.chat_id: row
        for row in session.exec(
            select(ChatDigest).where(col(ChatDigest.chat_id).in_([old_chat_id, new_chat_id]))
        ).all()
    }
    if old_chat_id in digests:
        if new_chat_id in digests:
            session.delete(digests[old_chat_id])
        else:
            digests[old_chat_id].chat_id = new_chat_id
            session.add(digests[old_chat_id])
    session.commit()
