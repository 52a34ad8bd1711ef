"""Send queued alerts: paced under Telegram's limit, each once, dropping chats that are gone."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.alerts.database import AlertDatabase
from bot.answers.tuning import ALERT_TUNING, AlertTuning
from bot.i18n import text
from bot.logstore.crud import outbox
from bot.logstore.crud.subscriptions import drop_chat, move_chat

log = logging.getLogger(__name__)

ALERT_PREFIX = "al"
_CALLBACK_DATA_LIMIT = 64
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_TRIES = 3  # a migrated chat and a flood wait each earn another try within one round
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights to send")


class Pacer:
    """Space out sends so that at most `per_second` start in any second, across all callers."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next send may start."""
        async with self._lock:
            now = self._clock()
            start = max(self._next, now)
            self._next = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)


@dataclass
class Delivered:
    """What one delivery round did."""

    sent: int = 0
    dropped: int = 0
    retried: int = 0
    moved: int = 0


def alert_keyboard(
    track_id: str, language: str, buttons: list[list[str]] | None = None
) -> InlineKeyboardMarkup | None:
    """Return the "ask what's new" button under an alert, or a digest's one per track.

    A track id too long for a button's data gets no button.
    """
    labelled = buttons if buttons is not None else [[text(language, "alert_button"), track_id]]
    rows = [
        [InlineKeyboardButton(label, callback_data=f"{ALERT_PREFIX}:{track}")]
        for label, track in labelled
        if len(f"{ALERT_PREFIX}:{track}".encode()) <= _CALLBACK_DATA_LIMIT
    ]
    return InlineKeyboardMarkup(rows) if rows else None


class AlertSender:
    """Deliver pending outbox rows; any number of bot processes may run one on the same table."""

    def __init__(self, database: AlertDatabase, tuning: AlertTuning = ALERT_TUNING) -> None:
        self.database = database
        self.tuning = tuning
        self.pacer = Pacer(tuning.per_second)

    def _db(self, call: Callable[..., object], **values: object) -> object:
        with self.database.session() as session:
            return call(session=session, **values)

    async def deliver(self, bot: Bot, keep_going: Callable[[], bool]) -> Delivered:
        """Send what is pending until the outbox is empty or `keep_going()` turns false."""
        done = Delivered()
        lease = timedelta(minutes=self.tuning.lease_minutes)
        await asyncio.to_thread(self._db, outbox.reclaim_stale, lease=lease)
        while keep_going():
            claimed = await asyncio.to_thread(self._db, outbox.claim, limit=self.tuning.claim_size)
            assert isinstance(claimed, list)
            if not claimed:
                break
            untried = {alert.id for alert in claimed}
            in_flight = asyncio.Semaphore(self.tuning.in_flight)
            try:
                await asyncio.gather(
                    *(
                        self._send_claimed(bot, alert, untried, in_flight, keep_going, done)
                        for alert in claimed
                    )
                )
            finally:
                # A stopping bot hands back what it did not try, so nothing waits for the lease.
                self._db(outbox.release, outbox_ids=sorted(untried))
        if done.sent or done.dropped or done.retried:
            log.info(
                "alerts: %d sent, %d dropped, %d to retry, %d moved",
                done.sent, done.dropped, done.retried, done.moved,
            )  # fmt: skip
        return done

    async def _send_claimed(
        self,
        bot: Bot,
        alert: outbox.ClaimedAlert,
        untried: set[int],
        in_flight: asyncio.Semaphore,
        keep_going: Callable[[], bool],
        done: Delivered,
    ) -> None:
        """Send one claimed alert when the pacer allows, unless the bot is stopping by then."""
        async with in_flight:
            await self.pacer.wait()
            if not keep_going():
                return
            untried.discard(alert.id)
            await self._send(bot, alert, done)

    async def _send(self, bot: Bot, alert: outbox.ClaimedAlert, done: Delivered) -> None:
        chat_id = alert.chat_id
        keyboard = alert_keyboard(alert.track_id, alert.language, alert.buttons)
        for attempt in range(_TRIES):
            if attempt:  # the first try was paced by the caller
                await self.pacer.wait()
            try:
                await bot.send_message(
                    chat_id,
                    alert.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    link_preview_options=_NO_PREVIEW,
                )
            except RetryAfter as error:
                wait = error.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                await asyncio.sleep(seconds)
                continue
            except ChatMigrated as error:
                new_chat_id = int(error.new_chat_id)
                await asyncio.to_thread(
                    self._db, move_chat, old_chat_id=chat_id, new_chat_id=new_chat_id
                )
                redirected = await asyncio.to_thread(
                    self._db, outbox.redirect, outbox_id=alert.id, chat_id=new_chat_id
                )
                done.moved += 1
                if not redirected:  # the supergroup has this alert already
                    await self._finish(alert.id, "dropped", "moved", done)
                    return
                chat_id = new_chat_id
                continue
            except Forbidden as error:
                await self._drop(alert.id, chat_id, f"forbidden: {error.message}", done)
                return
            except BadRequest as error:
                if any(reason in error.message.lower() for reason in _GONE):
                    await self._drop(alert.id, chat_id, f"gone: {error.message}", done)
                else:  # the message itself is refused: trying again would not change that
                    await self._finish(alert.id, "dropped", error.message, done)
                return
            except TelegramError as error:  # network trouble: try again in a later round
                await self._retry(alert, f"{type(error).__name__}: {error.message}", done)
                return
            await self._finish(alert.id, "sent", None, done)
            return
        await self._retry(alert, "kept being deferred", done)

    async def _drop(self, outbox_id: int, chat_id: int, reason: str, done: Delivered) -> None:
        log.info("alerts: chat %s is gone (%s); its subscriptions are removed", chat_id, reason)
        await self._finish(outbox_id, "dropped", reason, done)
        await asyncio.to_thread(self._db, drop_chat, chat_id=chat_id)

    async def _retry(self, alert: outbox.ClaimedAlert, reason: str, done: Delivered) -> None:
        if alert.attempts + 1 >= self.tuning.max_attempts:
            await self._finish(alert.id, "dropped", reason, done)
            return
        done.retried += 1
        await asyncio.to_thread(
            self._db, outbox.finish, outbox_id=alert.id, status="pending", error=reason[:200]
        )

    async def _finish(
        self, outbox_id: int, status: str, error: str | None, done: Delivered
    ) -> None:
        if status == "sent":
            done.sent += 1
        elif status == "dropped":
            done.dropped += 1
        await asyncio.to_thread(
            self._db,
            outbox.finish,
            outbox_id=outbox_id,
            status=status,
            error=error[:200] if error else None,
        )
