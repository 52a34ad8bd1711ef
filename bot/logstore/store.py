"""LogStore: the bot's non-blocking writer of answers and feedback, with a spool for outages."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.answers.answer_types import Answer
from bot.logstore import crud
from bot.logstore.database import is_unavailable, make_engine, migrate, sqlite_path
from bot.logstore.models import (
    FEEDBACK_KINDS,
    REFUSAL_REASONS,
    CorrectionPublic,
    LogStats,
    utc_now,
)
from bot.logstore.pseudonym import user_key
from bot.logstore.spool import Spool
from bot.logstore.writer import RecordWriter, brief

__all__ = ["LogStore", "LogStoreUnavailable", "default_spool_path", "user_key"]

log = logging.getLogger(__name__)

# A refused question is kept up to this many characters (a pasted book need not be stored).
REFUSED_QUESTION_CHARS = 4000
REPORT_NOTE_CHARS = 2000  # a reporter's note is kept this long


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
        migrated = False
        try:
            migrate(self.engine)
            migrated = True
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("log database unavailable at start-up, will retry: %s", brief(error))
        self._corrections_cache: list[CorrectionPublic] = []
        self._writer = RecordWriter(
            self.engine, spool_path or default_spool_path(database_url), migrated=migrated
        )

    @property
    def _spool(self) -> Spool:
        return self._writer.spool

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
                "resolved_question": answer.resolved_question,
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
                "abstain_reason": answer.abstain_reason,
            }
            self._writer.enqueue(record)
        except Exception:
            log.exception("could not queue log record for answer %s", uid)
        return uid

    def log_refused(
        self,
        question: str,
        reason: str,
        message: str,
        *,
        front_end: str,
        language: str = "",
        chat_id: int | None = None,
        chat_type: str | None = None,
        user_id: int | None = None,
    ) -> str:
        """Queue a question refused before answering (too long, empty); return its log uid."""
        uid = uuid.uuid4().hex
        try:
            if reason not in REFUSAL_REASONS:
                raise ValueError(f"refusal reason must be one of {REFUSAL_REASONS}, not {reason!r}")
            self._writer.enqueue(
                {
                    "type": "answer",
                    "uid": uid,
                    "created_at": utc_now().isoformat(),
                    "front_end": str(front_end),
                    "chat_id": chat_id,
                    "chat_type": chat_type,
                    "user_key": self._user_key(user_id),
                    "raw_user_id": user_id if self._store_raw_user_ids else None,
                    "question": str(question)[:REFUSED_QUESTION_CHARS],
                    "language": str(language or ""),
                    "answer_text": str(message),
                    "abstained": False,
                    "mode": "refused",
                    "refused_reason": reason,
                }
            )
        except Exception:
            log.exception("could not queue log record for refused question %s", uid)
        return uid

    def log_feedback(self, answer_uid: str, kind: str, *, user_id: int | None) -> None:
        """Queue a helpful / not_helpful / report press on a logged answer; never raises."""
        try:
            if kind not in FEEDBACK_KINDS:
                log.warning("feedback kind %r ignored; expected one of %s", kind, FEEDBACK_KINDS)
                return
            self._writer.enqueue(
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

    def log_report_note(self, answer_uid: str, note: str, *, user_id: int | None) -> None:
        """Queue what a person says is wrong with an answer they reported; never raises."""
        try:
            self._writer.enqueue(
                {
                    "type": "report_note",
                    "uid": uuid.uuid4().hex,
                    "answer_uid": str(answer_uid),
                    "note": str(note)[:REPORT_NOTE_CHARS],
                    "created_at": utc_now().isoformat(),
                    "user_key": self._user_key(user_id),
                }
            )
        except Exception:
            log.exception("could not queue the report note for answer %s", answer_uid)

    def _user_key(self, user_id: int | None) -> str | None:
        return None if user_id is None else user_key(user_id, self._secret)

    # --- waiting, reading, pruning ---------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued is written (True) or time out with records pending."""
        return self._writer.flush(timeout)

    @property
    def pending_count(self) -> int:
        """How many records wait in the spool for the database."""
        return self._writer.pending_count

    def approved_corrections(self) -> list[CorrectionPublic]:
        """Return approved corrected answers; the last good list while the database is down."""
        try:
            with Session(self.engine) as session:
                corrections = crud.approved_corrections(session=session)
        except Exception as error:
            log.warning("approved corrections unavailable, using last known: %s", brief(error))
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
                raise LogStoreUnavailable(f"log database unavailable: {brief(error)}") from error
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
        """Write what can be written, keep the rest in the spool, and dispose of the engine."""
        if self._writer.closed:
            return
        self._writer.close()
        self.engine.dispose()


def _citation_json(citation: Any) -> dict[str, Any]:
    data = dict(citation.to_json())
    data["number"] = citation.number
    data["article_id"] = citation.article_id
    data["chunk_id"] = citation.chunk_id
    return _json_safe(data)
