"""The alert outbox: queue a batch for its followers, claim pending sends, record outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.logstore.alert_models import AlertBatch, AlertOutbox
from bot.logstore.models import utc_now


@dataclass(frozen=True)
class ClaimedAlert:
    """One alert a sender took: where it goes and what it says."""

    id: int
    chat_id: int
    track_id: str
    language: str
    text: str
    attempts: int
    buttons: list[list[str]] | None = None  # a digest's [[label, track id], ...]


def queue_batch(
    *,
    session: Session,
    track_id: str,
    reports_key: str,
    as_of: date,
    texts: dict[str, str],
    chats: dict[int, str],
    report_keys: list[str] | None = None,
    buttons: list[list[str]] | None = None,
) -> int:
    """Queue one alert per chat for these reports; return how many were queued (0 if seen).

    What the session changed before is committed with the batch, or rolled back with it.
    """
    batch = AlertBatch(
        track_id=track_id,
        reports_key=reports_key,
        as_of=as_of,
        texts=texts,
        report_keys=report_keys,
        buttons=buttons,
    )
    session.add(batch)
    try:
        session.flush()
    except IntegrityError:  # these reports were queued before (another ingest or replica)
        session.rollback()
        return 0
    assert batch.id is not None
    for chat_id, language in chats.items():
        language = language if language in texts else next(iter(texts))
        session.add(AlertOutbox(batch_id=batch.id, chat_id=chat_id, language=language))
    session.commit()
    return len(chats)


def reclaim_stale(*, session: Session, lease: timedelta) -> int:
    """Put back alerts claimed longer ago than `lease` (their sender died before finishing)."""
    result = session.exec(
        sa.update(AlertOutbox)
        .where(
            col(AlertOutbox.status) == "sending",
            col(AlertOutbox.claimed_at) < utc_now() - lease,
        )
        .values(status="pending", claimed_at=None)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim(*, session: Session, limit: int) -> list[ClaimedAlert]:
    """Take up to `limit` pending alerts, oldest first; each is claimed by one sender only."""
    candidates = session.exec(
        select(AlertOutbox.id)
        .where(AlertOutbox.status == "pending")
        .order_by(col(AlertOutbox.id))
        .limit(limit)
    ).all()
    claimed: list[ClaimedAlert] = []
    for outbox_id in candidates:
        if outbox_id is None:
            continue
        # The conditional update is the claim: of two replicas, only one changes the row.
        taken = session.exec(
            sa.update(AlertOutbox)
            .where(col(AlertOutbox.id) == outbox_id, col(AlertOutbox.status) == "pending")
            .values(status="sending", claimed_at=utc_now())
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
        if not taken:
            continue
        row = session.get(AlertOutbox, outbox_id)
        batch = session.get(AlertBatch, row.batch_id) if row else None
        if row is None or batch is None:
            continue
        text = batch.texts.get(row.language) or next(iter(batch.texts.values()))
        claimed.append(
            ClaimedAlert(
                outbox_id,
                row.chat_id,
                batch.track_id,
                row.language,
                text,
                row.attempts,
                batch.buttons,
            )
        )
    return claimed


def finish(*, session: Session, outbox_id: int, status: str, error: str | None = None) -> None:
    """Record how a claimed alert ended: sent, dropped, or pending again (to retry)."""
    values: dict[str, object] = {"status": status, "error": error}
    if status == "sent":
        values["sent_at"] = utc_now()
    if status == "pending":
        values["claimed_at"] = None
        values["attempts"] = AlertOutbox.attempts + 1  # type: ignore[operator]
    session.exec(sa.update(AlertOutbox).where(col(AlertOutbox.id) == outbox_id).values(**values))
    session.commit()


def release(*, session: Session, outbox_ids: list[int]) -> None:
    """Put claimed alerts that were not tried back to pending (the sender is stopping)."""
    if outbox_ids:
        session.exec(
            sa.update(AlertOutbox)
            .where(col(AlertOutbox.id).in_(outbox_ids), col(AlertOutbox.status) == "sending")
            .values(status="pending", claimed_at=None)
        )
        session.commit()


def redirect(*, session: Session, outbox_id: int, chat_id: int) -> bool:
    """Point a claimed alert at the supergroup its group became; False if that has its own."""
    try:
        session.exec(
            sa.update(AlertOutbox).where(col(AlertOutbox.id) == outbox_id).values(chat_id=chat_id)
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def counts(*, session: Session) -> dict[str, int]:
    """Return how many alerts are in each state."""
    rows = session.exec(select(AlertOutbox.status)).all()
    found: dict[str, int] = {}
    for status in rows:
        found[status] = found.get(status, 0) + 1
    return found
