"""The log store's background writer: batches records into the database, spools them in outages."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.logstore import crud
from bot.logstore.database import is_unavailable, migrate
from bot.logstore.spool import Spool

log = logging.getLogger(__name__)

BATCH_SIZE = 500
FIRST_RETRY_S = 0.25
LONGEST_RETRY_S = 30.0
_STOP = object()
_WAKE = object()


class RecordWriter:
    """Write queued records in batches on one thread; keep them in a spool while the DB is down."""

    def __init__(self, engine: Engine, spool_path: Path, *, migrated: bool) -> None:
        self.engine = engine
        self.spool = Spool(spool_path)
        self._rejected = Spool(spool_path.with_name(spool_path.stem + "-rejected.jsonl"))
        self._queue: queue.Queue[Any] = queue.Queue()
        self._pending: list[dict[str, Any]] = self.spool.read()
        self._state = threading.Condition()
        self._retry_at = 0.0
        self._retry_delay = FIRST_RETRY_S
        self._outage_reported = False
        self._closed = False
        self._migrated = migrated
        if self._pending:
            log.info("log spool %s holds %d records to write", self.spool.path, len(self._pending))
        self._thread = threading.Thread(target=self._run, name="logstore-writer", daemon=True)
        self._thread.start()

    def enqueue(self, record: dict[str, Any]) -> None:
        """Queue one record; once closed, the spool keeps it for the next start."""
        if self._closed:
            self.spool.append([record])
            return
        self._queue.put(record)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued is written (True) or time out with records pending."""
        deadline = time.monotonic() + timeout
        with self._state:
            self._retry_at = 0.0
        if self._thread.is_alive():
            self._queue.put(_WAKE)
        with self._state:
            while self._queue.unfinished_tasks or self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    break
                self._state.wait(min(remaining, 0.2))
            return not (self._queue.unfinished_tasks or self._pending)

    @property
    def pending_count(self) -> int:
        """How many records wait in the spool for the database."""
        with self._state:
            return len(self._pending)

    @property
    def closed(self) -> bool:
        """Whether close() ran; later records go straight to the spool."""
        return self._closed

    def close(self) -> None:
        """Write what can be written, keep the rest in the spool, and stop the thread."""
        if self._closed:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout=10.0)
        leftovers = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, dict):
                leftovers.append(item)
        self._closed = True
        if leftovers:
            self.spool.append(leftovers)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            with self._state:
                has_pending = bool(self._pending)
                wait = max(0.0, self._retry_at - time.monotonic()) if has_pending else None
            try:
                items = [self._queue.get(timeout=wait)]
            except queue.Empty:
                items = []
            while len(items) < BATCH_SIZE:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = any(item is _STOP for item in items)
            records = [item for item in items if isinstance(item, dict)]
            try:
                self._handle(records, final=stopping)
            except Exception:
                log.exception("log writer failed; records stay in memory and spool")
            finally:
                with self._state:
                    for _ in items:
                        self._queue.task_done()
                    self._state.notify_all()

    def _handle(self, records: list[dict[str, Any]], *, final: bool) -> None:
        with self._state:
            backlog = list(self._pending)
            retry_due = time.monotonic() >= self._retry_at
        if backlog:
            # Keep the order: new records go behind the ones already waiting.
            self._keep(records)
            if retry_due or final:
                self._write_backlog()
            return
        if not records:
            return
        unwritten = self._write(records)
        if unwritten:
            self._keep(unwritten)

    def _keep(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return
        with self._state:
            self._pending.extend(records)
        try:
            self.spool.append(records)
        except OSError as error:
            log.error(
                "log spool %s not writable (%s); %d records held in memory only",
                self.spool.path,
                error,
                len(self._pending),
            )

    def _write_backlog(self) -> None:
        with self._state:
            backlog = list(self._pending)
        unwritten = self._write(backlog)
        written = len(backlog) - len(unwritten)
        if not written:
            return
        with self._state:
            # Records kept while we were writing stay behind the unwritten ones.
            self._pending = unwritten + self._pending[len(backlog) :]
            remainder = list(self._pending)
        try:
            self.spool.replace(remainder)
        except OSError as error:
            # Already-written records may be replayed later; uids make that harmless.
            log.error("log spool %s could not be trimmed: %s", self.spool.path, error)
        if not remainder:
            log.info("log database back; %d spooled records written", written)

    def _write(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write records in one transaction; return those left unwritten (database down)."""
        try:
            self._commit(records)
        except Exception as error:
            if is_unavailable(error):
                self._note_outage(error)
                return records
            log.warning("log batch rejected (%s); writing records one by one", brief(error))
            return self._write_one_by_one(records)
        self._note_recovery()
        return []

    def _write_one_by_one(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for position, record in enumerate(records):
            try:
                self._commit([record])
            except Exception as error:
                if is_unavailable(error):
                    self._note_outage(error)
                    return records[position:]
                log.error("log record %s rejected: %s", record.get("uid"), brief(error))
                self._reject(record, error)
        self._note_recovery()
        return []

    def _commit(self, records: list[dict[str, Any]]) -> None:
        if not self._migrated:
            migrate(self.engine)
            self._migrated = True
        with Session(self.engine) as session:
            notes = crud.write_records(session=session, records=records)
            session.commit()
        for note in notes:
            log.warning("log store: %s", note)

    def _reject(self, record: dict[str, Any], error: BaseException) -> None:
        try:
            self._rejected.append([{**record, "rejected_because": brief(error)}])
        except OSError:
            log.error("rejected log record, not kept: %s", json.dumps(record)[:2000])

    def _note_outage(self, error: BaseException) -> None:
        with self._state:
            self._retry_at = time.monotonic() + self._retry_delay
            self._retry_delay = min(self._retry_delay * 2, LONGEST_RETRY_S)
            first = not self._outage_reported
            self._outage_reported = True
        if first:
            log.warning(
                "log database unavailable, spooling to %s: %s", self.spool.path, brief(error)
            )

    def _note_recovery(self) -> None:
        with self._state:
            self._retry_delay = FIRST_RETRY_S
            self._retry_at = 0.0
            self._outage_reported = False


def brief(error: BaseException) -> str:
    """Return the error's type and first line, short enough for a log line."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]
