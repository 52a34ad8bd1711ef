"""A JSONL file holding log records the database could not take yet, in the order they came."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Spool:
    """Append-only JSONL file of pending records; replaced atomically once they are written."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, records: Sequence[dict[str, Any]]) -> None:
        """Append records durably (fsync), raising OSError if the file cannot be written."""
        if not records:
            return
        lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(lines)
                handle.flush()
                os.fsync(handle.fileno())

    def read(self) -> list[dict[str, Any]]:
        """Return the spooled records in order; a torn last line from a crash is skipped."""
        with self._lock:
            if not self.path.exists():
                return []
            text = self.path.read_text(encoding="utf-8")
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                log.error(
                    "log spool %s: line %d is not JSON, skipped: %.200s", self.path, number, line
                )
        return records

    def replace(self, records: Sequence[dict[str, Any]]) -> None:
        """Keep only these records (atomic rename), deleting the file when none are left."""
        with self._lock:
            if not records:
                self.path.unlink(missing_ok=True)
                return
            temporary = self.path.with_name(self.path.name + ".tmp")
            with temporary.open("w", encoding="utf-8") as handle:
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
