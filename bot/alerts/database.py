"""The subscription and outbox tables, opened on first use (migrated like the log store)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.logstore.database import make_engine, migrate


class AlertDatabase:
    """Sessions on the log database for subscriptions and alerts, opened lazily."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = make_engine(self.database_url)
                migrate(engine)
                self._engine = engine
            return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session (the caller commits)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        """Release the engine's connections."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
