"""Prometheus metrics and the health endpoint."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from bot import metrics
from bot.answers.answer_types import Answer
from index.documents import LoadProblem
from index.ingest import IngestReport


def sample(name: str, labels: dict[str, str]) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_record_answer_counts_and_times() -> None:
    labels = {"front_end": "telegram", "language": "uk", "abstained": "true"}
    before = sample("negobot_answers_total", labels)
    before_other = sample(
        "negobot_answers_total",
        {"front_end": "telegram", "language": "other", "abstained": "false"},
    )
    before_count = sample("negobot_answer_latency_seconds_count", {"front_end": "telegram"})
    before_fast = sample(
        "negobot_answer_latency_seconds_bucket", {"front_end": "telegram", "le": "0.5"}
    )
    metrics.record_answer(
        Answer(question="?", text="", language="uk", abstained=True, latency_ms=300), "telegram"
    )
    metrics.record_answer(
        Answer(question="?", text="", language="de", abstained=False, latency_ms=4000), "telegram"
    )
    assert sample("negobot_answers_total", labels) == before + 1
    assert (
        sample(
            "negobot_answers_total",
            {"front_end": "telegram", "language": "other", "abstained": "false"},
        )
        == before_other + 1
    )
    assert (
        sample("negobot_answer_latency_seconds_count", {"front_end": "telegram"})
        == before_count + 2
    )
    # 0.3 s falls in the 0.5 s bucket, 4 s does not.
    assert (
        sample("negobot_answer_latency_seconds_bucket", {"front_end": "telegram", "le": "0.5"})
        == before_fast + 1
    )


def test_record_ingest_counts_outcomes() -> None:
    report = IngestReport(
        added=3,
        replaced=1,
        unchanged=5,
        skipped=Counter({"duplicate": 2, "HTTP 404 Not": 1}),
        problems=[LoadProblem("http://x/1", "HTTP 404 Not Found")],
    )
    outcomes = ("added", "replaced", "unchanged", "duplicate", "problem")
    before = {o: sample("negobot_ingest_articles_total", {"outcome": o}) for o in outcomes}
    metrics.record_ingest(report)
    after = {o: sample("negobot_ingest_articles_total", {"outcome": o}) for o in outcomes}
    assert {o: after[o] - before[o] for o in outcomes} == {
        "added": 3,
        "replaced": 1,
        "unchanged": 5,
        "duplicate": 2,
        "problem": 1,
    }


@pytest.fixture
def health() -> Iterator[tuple[str, dict[str, object]]]:
    state: dict[str, object] = {"ready": True, "version": "gen-000007"}

    def ready() -> bool:
        if state["ready"] == "boom":
            raise RuntimeError("index gone")
        return bool(state["ready"])

    server = metrics.start_health_server(
        0, ready, index_version=lambda: str(state["version"]), host="127.0.0.1"
    )
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


def test_healthz_reports_ready_and_unready(health: tuple[str, dict[str, object]]) -> None:
    base, state = health
    response = httpx.get(base + "/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "index_version": "gen-000007"}
    state["ready"] = False
    response = httpx.get(base + "/healthz", timeout=5)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    state["ready"] = "boom"
    response = httpx.get(base + "/healthz", timeout=5)
    assert response.status_code == 503
    assert json.loads(response.text)["reason"] == "RuntimeError"
    assert httpx.get(base + "/nope", timeout=5).status_code == 404


def test_metrics_endpoint_exposes_prometheus_text(health: tuple[str, dict[str, object]]) -> None:
    base, _ = health
    metrics.record_answer(
        Answer(question="?", text="", language="en", abstained=False, latency_ms=120), "cli"
    )
    metrics.record_feed_failure("https://feeds.example.org/rss")
    response = httpx.get(base + "/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert 'negobot_answers_total{abstained="false",front_end="cli",language="en"}' in body
    assert "# TYPE negobot_answer_latency_seconds histogram" in body
    assert "# TYPE negobot_ingest_articles_total counter" in body
    assert 'negobot_feed_fetch_failures_total{source="https://feeds.example.org/rss"}' in body
