"""Daily digests: turn a chat's digest on or off, find the due ones, record what one covered."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bot.logstore.alert_models import DIGEST, EVERYTHING, AlertBatch, ChatDigest, Subscription
from bot.logstore.crud.outbox import queue_batch


def digest_of(*, session: Session, chat_id: int) -> ChatDigest | None:
    """Return the chat's digest setting, or None when it takes alerts as they come."""
    return session.exec(select(ChatDigest).where(ChatDigest.chat_id == chat_id)).first()


def start_digest(*, session: Session, chat_id: int, minute: int, language: str) -> bool:
    """Turn the digest on (or move its time); return False if it was on already."""
    existing = digest_of(session=session, chat_id=chat_id)
    if existing is not None:
        existing.minute, existing.language = minute, language
        session.add(existing)
        session.commit()
        return False
    # Reports queued before now went out as alerts: the first digest starts after them.
    newest = session.exec(select(func.max(AlertBatch.id))).one()
    session.add(
        ChatDigest(chat_id=chat_id, minute=minute, language=language, covered_batch_id=newest or 0)
    )
    session.commit()
    return True


def stop_digest(*, session: Session, chat_id: int) -> bool:
    """Turn the digest off (alerts come as reports arrive again); return whether it was on."""
    removed = session.exec(
        sa.delete(ChatDigest).where(col(ChatDigest.chat_id) == chat_id)  # type: ignore[call-overload]
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return bool(removed)


def digest_takers(*, session: Session, chat_ids: Iterable[int]) -> set[int]:
    """Return which of these chats take a digest (and so no alerts as reports arrive)."""
    wanted = list(chat_ids)
    if not wanted:
        return set()
    rows = session.exec(select(ChatDigest.chat_id).where(col(ChatDigest.chat_id).in_(wanted)))
    return set(rows.all())


def due_digests(*, session: Session, now: datetime, every: bool = False) -> list[ChatDigest]:
    """Return the digests due at `now` (UTC): their time has come and today's is not done.

    `every` takes every chat with the digest on, whatever its time or today's round.
    """
    statement = select(ChatDigest).order_by(col(ChatDigest.id))
    if not every:
        statement = statement.where(
            col(ChatDigest.minute) <= now.hour * 60 + now.minute,
            sa.or_(col(ChatDigest.done_on).is_(None), col(ChatDigest.done_on) < now.date()),
        )
    return list(session.exec(statement).all())


def news_for(*, session: Session, digest: ChatDigest) -> tuple[list[AlertBatch], int]:
    """Return the batches on the chat's tracks since its last digest, and the newest batch id."""
    followed = set(session.exec(select(Subscription.track_id).where(
        Subscription.chat_id == digest.chat_id
    )).all())  # fmt: skip
    batches = session.exec(
        select(AlertBatch)
        .where(col(AlertBatch.id) > digest.covered_batch_id)
        .order_by(col(AlertBatch.id))
    ).all()
    newest = max((batch.id or 0 for batch in batches), default=digest.covered_batch_id)
    news = [
        batch
        for batch in batches
        if batch.track_id != DIGEST and (EVERYTHING in followed or batch.track_id in followed)
    ]
    return news, newest


def digest_key(chat_id: int, day: date) -> str:
    """Identify a chat's digest of one day: a second one for that day is refused."""
    return hashlib.sha256(f"{DIGEST}\n{chat_id}\n{day.isoformat()}".encode()).hexdigest()


def record_digest(
    *,
    session: Session,
    chat_id: int,
    day: date,
    covered_batch_id: int,
    language: str,
    text: str | None,
    buttons: list[list[str]] | None = None,
) -> bool:
    """Mark the chat's digest of `day` done and queue its message, if any, in one transaction.

    Return whether a message was queued: False when there was none, or when the chat had its
    digest of that day already (another process, or before a restart).
    """
    session.exec(
        sa.update(ChatDigest)
        .where(col(ChatDigest.chat_id) == chat_id)
        .values(covered_batch_id=covered_batch_id, done_on=day)
    )
    if text is None:
        session.commit()
        return False
    queued = queue_batch(
        session=session,
        track_id=DIGEST,
        reports_key=digest_key(chat_id, day),
        as_of=day,
        texts={language: text},
        chats={chat_id: language},
        buttons=buttons,
    )
    if not queued:  # the day's digest went out before: its news waits for the next one
        session.exec(
            sa.update(ChatDigest).where(col(ChatDigest.chat_id) == chat_id).values(done_on=day)
        )
        session.commit()
    return queued > 0
