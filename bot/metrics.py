"""Prometheus metrics and the health endpoint, served from a small thread beside the bot."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)

if TYPE_CHECKING:
    from bot.answers.answer_types import Answer
    from index.ingest import IngestReport

log = logging.getLogger(__name__)

# A registry of our own: tests and embedding apps never see metrics registered twice.
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

# Answer languages are detected; anything else is folded in to keep label sets small.
KNOWN_LANGUAGES = frozenset({"en", "uk", "ru"})
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

ANSWERS = Counter(
    "negobot_answers",
    "Questions answered, by front end, answer language and whether the bot abstained.",
    ["front_end", "language", "abstained"],
    registry=REGISTRY,
)
ANSWER_LATENCY = Histogram(
    "negobot_answer_latency_seconds",
    "Time to produce an answer (retrieval and answering, not Telegram delivery).",
    ["front_end"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
INGEST_ARTICLES = Counter(
    "negobot_ingest_articles",
    "Articles seen by ingest runs, by outcome: added, replaced, unchanged, duplicate, problem.",
    ["outcome"],
    registry=REGISTRY,
)
FEED_FETCH_FAILURES = Counter(
    "negobot_feed_fetch_failures",
    "Feed refreshes in which a configured source (or one of its entries) failed.",
    ["source"],
    registry=REGISTRY,
)


def record_answer(answer: Answer, front_end: str) -> None:
    """Count one answer and observe its latency."""
    language = answer.language if answer.language in KNOWN_LANGUAGES else "other"
    ANSWERS.labels(front_end, language, "true" if answer.abstained else "false").inc()
    ANSWER_LATENCY.labels(front_end).observe(max(answer.latency_ms, 0.0) / 1000.0)


def record_ingest(report: IngestReport) -> None:
    """Count what one ingest run did with each article it saw."""
    outcomes = {
        "added": report.added,
        "replaced": report.replaced,
        "unchanged": report.unchanged,
        "duplicate": report.skipped.get("duplicate", 0),
        "problem": len(report.problems),
    }
    for outcome, count in outcomes.items():
        if count:
            INGEST_ARTICLES.labels(outcome).inc(count)


def record_feed_failure(source: str) -> None:
    """Count one failed fetch of a configured feed or article source."""
    FEED_FETCH_FAILURES.labels(source).inc()


def _handler(
    ready: Callable[[], bool], index_version: Callable[[], str | None]
) -> type[BaseHTTPRequestHandler]:
    class HealthHandler(BaseHTTPRequestHandler):
        server_version = "negobot-health"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._health()
            elif path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY))
            else:
                self._json(404, {"status": "not found", "paths": ["/healthz", "/metrics"]})

        def _health(self) -> None:
            try:
                ok = bool(ready())
                version = index_version() if ok else None
            except Exception as error:  # a failing probe is an unhealthy bot, not a crash
                self._json(503, {"status": "unavailable", "reason": type(error).__name__})
                return
            if ok:
                self._json(200, {"status": "ok", "index_version": version})
            else:
                self._json(503, {"status": "unavailable", "index_version": None})

        def _json(self, status: int, payload: dict[str, object]) -> None:
            self._send(status, "application/json", json.dumps(payload).encode("utf-8"))

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Probes arrive every few seconds; they would drown the real log.
            log.debug("health %s", format % args)

    return HealthHandler


def start_health_server(
    port: int,
    ready: Callable[[], bool],
    *,
    index_version: Callable[[], str | None] = lambda: None,
    host: str = "0.0.0.0",
) -> ThreadingHTTPServer:
    """Serve /healthz and /metrics on host:port in a daemon thread; return the server."""
    server = ThreadingHTTPServer((host, port), _handler(ready, index_version))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="negobot-health", daemon=True)
    thread.start()
    log.info("health and metrics on http://%s:%s/healthz", host, server.server_address[1])
    return server
