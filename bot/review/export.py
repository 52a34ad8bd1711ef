"""Export the filtered log as CSV or JSONL, streamed page by page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.logstore import crud
from bot.logstore.crud import QueueFilters, QueueRow

PAGE = 500
CSV_COLUMNS = [
    "uid",
    "created_at",
    "front_end",
    "chat_id",
    "chat_type",
    "user_key",
    "language",
    "question",
    "resolved_question",
    "answer",
    "abstained",
    "mode",
    "model",
    "index_version",
    "latency_ms",
    "abstain_reason",
    "refused_reason",
    "helpful",
    "not_helpful",
    "report",
    "verdict",
    "approved",
    "corrected_answer",
    "review_note",
    "reviewed_by",
    "reviewed_at",
]
# Excel reads a CSV as the local code page unless it starts with a UTF-8 byte order mark.
BOM = "\ufeff"
# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def row_record(row: QueueRow) -> dict[str, Any]:
    """Return one exported record: the answer, its passages, feedback counts and review."""
    answer, review = row.answer, row.review
    return {
        "uid": answer.uid,
        "created_at": answer.created_at.isoformat(),
        "front_end": answer.front_end,
        "chat_id": answer.chat_id,
        "chat_type": answer.chat_type,
        "user_key": answer.user_key,
        "language": answer.language,
        "question": answer.question,
        "resolved_question": answer.resolved_question,
        "answer": answer.answer_text,
        "abstained": answer.abstained,
        "mode": answer.mode,
        "model": answer.model,
        "index_version": answer.index_version,
        "latency_ms": answer.latency_ms,
        "abstain_reason": answer.abstain_reason,
        "refused_reason": answer.refused_reason,
        "helpful": row.feedback.get("helpful", 0),
        "not_helpful": row.feedback.get("not_helpful", 0),
        "report": row.feedback.get("report", 0),
        "verdict": review.verdict if review else None,
        "approved": review.approved if review else None,
        "corrected_answer": review.corrected_answer if review else None,
        "review_note": review.note if review else None,
        "reviewed_by": review.moderator if review else None,
        "reviewed_at": review.updated_at.isoformat() if review else None,
        "retrieved": answer.retrieved,
        "sources": answer.sources,
    }


def _rows(engine: Engine, filters: QueueFilters) -> Iterator[QueueRow]:
    offset = 0
    while True:
        with Session(engine) as session:
            page = crud.list_answers(session=session, filters=filters, limit=PAGE, offset=offset)
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_chunks(engine: Engine, filters: QueueFilters) -> Iterator[str]:
    """Yield the CSV export (header first) in chunks."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    yield BOM + _take(buffer)
    for row in _rows(engine, filters):
        record = row_record(row)
        writer.writerow({key: _cell(record[key]) for key in CSV_COLUMNS})
        if buffer.tell() > 64_000:
            yield _take(buffer)
    yield _take(buffer)


def jsonl_chunks(engine: Engine, filters: QueueFilters) -> Iterator[str]:
    """Yield the JSONL export, one answer per line."""
    for row in _rows(engine, filters):
        yield json.dumps(row_record(row), ensure_ascii=False) + "\n"


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


EXPORTERS: dict[str, tuple[Callable[[Engine, QueueFilters], Iterator[str]], str]] = {
    "csv": (csv_chunks, "text/csv; charset=utf-8"),
    "jsonl": (jsonl_chunks, "application/x-ndjson; charset=utf-8"),
}
