"""LogStore: the bot's non-blocking writer of answers and feedback, with a spool for outages."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.answer_types import Answer
from bot.logstore import crud
from bot.logstore.database import is_unavailable, make_engine, migrate, sqlite_path
from bot.logstore.models import FEEDBACK_KINDS, CorrectionPublic, LogStats, utc_now
from bot.logstore.pseudonym import user_key
from bot.logstore.spool import Spool

__all__ = ["LogStore", "LogStoreUnavailable", "default_spool_path", "user_key"]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
FIRST_RETRY_S = 0.25
LONGEST_RETRY_S = 30.0
_STOP = object()
_WAKE = object()


class LogStoreUnavailable(RuntimeError):
    """The log database cannot be reached right now."""


def default_spool_path(database_url: str) -> Path:
    """Return where records wait during an outage: beside the SQLite file, else under data/."""
    database_file = sqlite_path(database_url)
    if database_file is not None:
        return database_file.parent / "log-spool.jsonl"
    return Path("data/log-spool.jsonl")


def _json_safe(value: Any) -> Any:
    """Turn dates, numpy scalars and tuples into plain JSON values."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(item) for item in value]
    if hasattr(value, "item"):
        return _json_safe(value.item())
    return str(value)


class LogStore:
    """Queue answers and feedback for a background writer; never block or break answering."""

    def __init__(
        self,
        database_url: str,
        *,
        user_key_secret: str,
        store_raw_user_ids: bool = False,
        spool_path: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.engine = make_engine(database_url)
        self._secret = user_key_secret or ""
        self._store_raw_user_ids = store_raw_user_ids
        self._spool = Spool(spool_path or default_spool_path(database_url))
        self._rejected = Spool(
            self._spool.path.with_name(self._spool.path.stem + "-rejected.jsonl")
        )
        self._queue: queue.Queue[Any] = queue.Queue()
        self._pending: list[dict[str, Any]] = self._spool.read()
        self._state = threading.Condition()
        self._retry_at = 0.0
        self._retry_delay = FIRST_RETRY_S
        self._outage_reported = False
        self._closed = False
        self._corrections_cache: list[CorrectionPublic] = []
        self._migrated = False
        try:
            migrate(self.engine)
            self._migrated = True
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("log database unavailable at start-up, will retry: %s", _brief(error))
        if self._pending:
            log.info("log spool %s holds %d records to write", self._spool.path, len(self._pending))
        self._writer = threading.Thread(target=self._run, name="logstore-writer", daemon=True)
        self._writer.start()

    # --- the bot's side: queue and return at once ------------------------------------------------

    def log_answer(
        self,
        answer: Answer,
        *,
        front_end: str,
        chat_id: int | None,
        chat_type: str | None,
        user_id: int | None,
        model: str,
        index_version: str,
    ) -> str:
        """Queue the answer for writing; set and return answer.log_id (a uuid4 hex)."""
        uid = uuid.uuid4().hex
        try:
            answer.log_id = uid
            record = {
                "type": "answer",
                "uid": uid,
                "created_at": utc_now().isoformat(),
                "front_end": str(front_end),
                "chat_id": chat_id,
                "chat_type": chat_type,
                "user_key": self._user_key(user_id),
                "raw_user_id": user_id if self._store_raw_user_ids else None,
                "question": str(answer.question),
                "language": str(answer.language or ""),
                "answer_text": str(answer.text or ""),
                "abstained": bool(answer.abstained),
                "mode": str(answer.mode or ""),
                "reviewed_answer": bool(answer.reviewed),
                "as_of": answer.as_of.isoformat() if answer.as_of else None,
                "retrieved": _json_safe(list(answer.retrieved or [])),
                "sources": [_citation_json(citation) for citation in answer.sources or []],
                "model": str(model or ""),
                "index_version": str(index_version or ""),
                "latency_ms": float(answer.latency_ms or 0.0),
            }
            self._enqueue(record)
        except Exception:
            log.exception("could not queue log record for answer %s", uid)
        return uid

    def log_feedback(self, answer_uid: str, kind: str, *, user_id: int | None) -> None:
        """Queue a helpful / not_helpful / report press on a logged answer; never raises."""
        try:
            if kind not in FEEDBACK_KINDS:
                log.warning("feedback kind %r ignored; expected one of %s", kind, FEEDBACK_KINDS)
                return
            self._enqueue(
                {
                    "type": "feedback",
                    "uid": uuid.uuid4().hex,
                    "answer_uid": str(answer_uid),
                    "kind": kind,
                    "created_at": utc_now().isoformat(),
                    "user_key": self._user_key(user_id),
                }
            )
        except Exception:
            log.exception("could not queue feedback for answer %s", answer_uid)

    def _user_key(self, user_id: int | None) -> str | None:
        return None if user_id is None else user_key(user_id, self._secret)

    def _enqueue(self, record: dict[str, Any]) -> None:
        if self._closed:
            # The writer is gone; the spool keeps the record for the next start.
            self._spool.append([record])
            return
        self._queue.put(record)

    # --- waiting, reading, pruning ---------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued is written (True) or time out with records pending."""
        deadline = time.monotonic() + timeout
        with self._state:
            self._retry_at = 0.0
        if self._writer.is_alive():
            self._queue.put(_WAKE)
        with self._state:
            while self._queue.unfinished_tasks or self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._writer.is_alive():
                    break
                self._state.wait(min(remaining, 0.2))
            return not (self._queue.unfinished_tasks or self._pending)

    @property
    def pending_count(self) -> int:
        """How many records wait in the spool for the database."""
        with self._state:
            return len(self._pending)

    def approved_corrections(self) -> list[CorrectionPublic]:
        """Return approved corrected answers; the last good list while the database is down."""
        try:
            with Session(self.engine) as session:
                corrections = crud.approved_corrections(session=session)
        except Exception as error:
            log.warning("approved corrections unavailable, using last known: %s", _brief(error))
            return list(self._corrections_cache)
        self._corrections_cache = corrections
        return list(corrections)

    def stats(self, *, since: datetime) -> LogStats:
        """Count questions, abstentions and feedback since a moment (raises LogStoreUnavailable)."""
        try:
            with Session(self.engine) as session:
                return crud.stats(session=session, since=since)
        except Exception as error:
            if is_unavailable(error):
                raise LogStoreUnavailable(f"log database unavailable: {_brief(error)}") from error
            raise

    def prune(self, *, older_than_days: int) -> int:
        """Delete answers older than N days with their feedback and reviews; return the count."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must be 0 or more, not {older_than_days}")
        cutoff = utc_now() - timedelta(days=older_than_days)
        with Session(self.engine) as session:
            deleted = crud.prune(session=session, older_than=cutoff)
            session.commit()
        return deleted

    def close(self) -> None:
        """Write what can be written, keep the rest in the spool, and stop the writer."""
        if self._closed:
            return
        self._queue.put(_STOP)
        self._writer.join(timeout=10.0)
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
            self._spool.append(leftovers)
        self.engine.dispose()

    # --- the writer thread -----------------------------------------------------------------------

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
            self._spool.append(records)
        except OSError as error:
            log.error(
                "log spool %s not writable (%s); %d records held in memory only",
                self._spool.path,
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
            self._spool.replace(remainder)
        except OSError as error:
            # Already-written records may be replayed later; uids make that harmless.
            log.error("log spool %s could not be trimmed: %s", self._spool.path, error)
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
            log.warning("log batch rejected (%s); writing records one by one", _brief(error))
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
                log.error("log record %s rejected: %s", record.get("uid"), _brief(error))
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
            self._rejected.append([{**record, "rejected_because": _brief(error)}])
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
                "log database unavailable, spooling to %s: %s", self._spool.path, _brief(error)
            )

    def _note_recovery(self) -> None:
        with self._state:
            self._retry_delay = FIRST_RETRY_S
            self._retry_at = 0.0
            self._outage_reported = False


def _citation_json(citation: Any) -> dict[str, Any]:
    data = dict(citation.to_json())
    data["number"] = citation.number
    data["article_id"] = citation.article_id
    data["chunk_id"] = citation.chunk_id
    return _json_safe(data)


def _brief(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]
