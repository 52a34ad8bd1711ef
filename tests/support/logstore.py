"""Helpers for the log store and review desk tests: sample answers, row counts, a TCP proxy."""

from __future__ import annotations

import contextlib
import socket
import threading
from datetime import date
from typing import Any

import sqlalchemy as sa

from bot.answers.answer_types import Answer, Citation
from bot.logstore.database import make_engine

LOG_TABLES = (
    "chat_digest",
    "alert_outbox",
    "alert_batch",
    "subscription",
    "feedback",
    "review",
    "audit_entry",
    "desk_session",
    "moderator",
    "answer_log",
)


def empty_postgres(url: str) -> None:
    """Delete every row of the log tables."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(LOG_TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()


def count_rows(url: str, table: str) -> int:
    """Count the rows of one table through a separate engine."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def make_answer(
    question: str = "Where did the delegations meet?",
    *,
    language: str = "en",
    abstained: bool = False,
    text: str | None = None,
) -> Answer:
    """Build an Answer with one cited passage and two retrieved ones, as the bot produces."""
    passages = [
        {
            "chunk_id": "art-1#0",
            "article_id": "art-1",
            "score": 0.032787,
            "cosine": 0.83,
            "dense_rank": 1,
            "keyword_rank": 2,
            "fused_rank": 1,
            "quoted": not abstained,
            "title": "Delegations meet in Istanbul",
            "source": "Reuters",
            "published": date(2025, 5, 16),
            "url": "https://example.org/istanbul",
            "text": "Russian and Ukrainian delegations met in Istanbul on Friday.",
        },
        {
            "chunk_id": "art-2#3",
            "article_id": "art-2",
            "score": 0.016129,
            "cosine": 0.41,
            "dense_rank": None,
            "keyword_rank": 1,
            "fused_rank": 2,
            "quoted": False,
            "title": "Prisoner exchange agreed",
            "source": "AP",
            "published": date(2025, 5, 17),
            "url": "https://example.org/exchange",
            "text": "Both sides agreed to exchange 1,000 prisoners each.",
        },
    ]
    citation = Citation(
        number=1,
        title=passages[0]["title"],
        source="Reuters",
        published=date(2025, 5, 16),
        url=passages[0]["url"],
        score=0.83,
        text=passages[0]["text"],
        article_id="art-1",
        chunk_id="art-1#0",
    )
    return Answer(
        question=question,
        text=text if text is not None else ("" if abstained else "They met in Istanbul [1]."),
        language=language,
        abstained=abstained,
        as_of=date(2025, 5, 17),
        sources=[] if abstained else [citation],
        retrieved=passages,
        latency_ms=123.4,
        abstain_reason="below_threshold" if abstained else None,
    )


def log_kwargs(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for LogStore.log_answer as the Telegram front end passes them."""
    values: dict[str, Any] = {
        "front_end": "telegram",
        "chat_id": -100123,
        "chat_type": "supergroup",
        "user_id": 777,
        "model": "all-MiniLM-L6-v2",
        "index_version": "2025-05-17T10:00",
    }
    values.update(overrides)
    return values


class TcpProxy:
    """A tiny TCP relay in front of a server, which a test can stop and start like an outage."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Listen and relay connections until stopped."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one, as a database crash would."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            _close(connection)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=3)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._connections.update({client, upstream})
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()
