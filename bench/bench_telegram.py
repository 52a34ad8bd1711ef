"""Benchmark the Telegram front end end to end: questions per second and latency.

Simulated users (20 by default) each ask, wait for the answer and ask again, against the Bot API
emulator. Two bots run in turn on the same emulator in one run, each as its own process with
python-telegram-bot's HTTP client: an echo bot (the floor: Telegram plumbing only) and negobot
(typing indicator, the service in a worker thread, HTML answer with buttons). The ratio of their
throughput shows what answering costs. Latency runs from a question's arrival at the emulator to
the bot's answer arriving there. Prints a markdown table.

    python bench/bench_telegram.py --fake-service          # Telegram overhead only
    python bench/bench_telegram.py --embedding-model fake  # real service, fake embedder
    python bench/bench_telegram.py                         # real service, configured model
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.botapi_emulator import BotApiEmulator, FakeUser  # noqa: E402

QUESTIONS = [
    "What was agreed in Istanbul?",
    "Who led the Ukrainian delegation?",
    "Is there a ceasefire?",
    "Що вирішили щодо обміну полоненими?",
    "Когда следующий раунд переговоров?",
    "What did the memoranda say about a ceasefire?",
]
ANSWER_TIMEOUT_SECONDS = 30.0


@dataclass
class PhaseResult:
    """What one bot achieved under load."""

    name: str
    users: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    timeouts: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_users(
    emulator: BotApiEmulator, name: str, users: int, warmup: float, seconds: float
) -> PhaseResult:
    """Drive `users` closed-loop simulated users; measure answers inside the timed window."""
    result = PhaseResult(name, users, seconds)
    lock = threading.Lock()
    started = time.monotonic()
    measure_from = started + warmup
    stop_at = measure_from + seconds

    def user_loop(number: int) -> None:
        user = FakeUser(10_000 + number, f"User{number}", ("en", "uk", "ru")[number % 3])
        questions = itertools.cycle(QUESTIONS[number % len(QUESTIONS) :] + QUESTIONS)
        while time.monotonic() < stop_at:
            since = emulator.mark()
            asked_at = time.monotonic()
            emulator.send_text(user, next(questions))
            try:
                reply = emulator.wait_for_reply(
                    user.id, since=since, timeout=ANSWER_TIMEOUT_SECONDS
                )
            except TimeoutError:
                with lock:
                    result.timeouts += 1
                continue
            if asked_at >= measure_from and reply.at <= stop_at:
                with lock:
                    result.latencies_ms.append((reply.at - asked_at) * 1000)

    threads = [threading.Thread(target=user_loop, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + ANSWER_TIMEOUT_SECONDS + 5)
    return result


def start_bot(emulator: BotApiEmulator, args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a bot process and wait until it polls the emulator."""
    polls_before = emulator.method_calls["getUpdates"]
    process = subprocess.Popen([sys.executable, __file__, *args], cwd=REPO, env=env)
    deadline = time.monotonic() + 120
    while emulator.method_calls["getUpdates"] <= polls_before:
        if process.poll() is not None:
            raise SystemExit(f"bench: the {args[1]} bot exited with {process.returncode}")
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"bench: the {args[1]} bot did not start polling within 120 s")
        time.sleep(0.05)
    return process


def stop_bot(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def markdown_table(results: list[PhaseResult], notes: list[str]) -> str:
    lines = [
        "| bot | users | answered | q/s | p50 ms | p99 ms | timeouts |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | {result.users} | {len(result.latencies_ms)} | "
            f"{result.per_second:.1f} | {result.percentile(0.50):.1f} | "
            f"{result.percentile(0.99):.1f} | {result.timeouts} |"
        )
    if len(results) == 2 and results[1].per_second:
        lines.append("")
        lines.append(
            f"echo / negobot throughput ratio: {results[0].per_second / results[1].per_second:.2f}"
        )
    lines.extend(["", *notes])
    return "\n".join(lines)


def build_index(env: dict[str, str], articles: Path) -> None:
    # The fake embedder lives with the tests; this entry point registers it before the CLI runs.
    command = [sys.executable, "-m", "tests.support.cli_with_fake", "ingest", str(articles), "-q"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: building the index failed:\n{done.stderr}")


def main_bench(options: argparse.Namespace) -> None:
    """Run echo then negobot against one emulator and print the table."""
    workdir = Path(tempfile.mkdtemp(prefix="negobot-bench-"))
    with BotApiEmulator() as emulator:
        env = {key: value for key, value in os.environ.items() if not key.startswith("NEGOBOT_")}
        env.update(
            HF_HUB_OFFLINE="1",
            NEGOBOT_TELEGRAM_TOKEN=emulator.token,
            NEGOBOT_TELEGRAM_BASE_URL=emulator.base_url,
            NEGOBOT_RATE_LIMIT_PER_MINUTE="1000000",  # measure throughput, not the user limit
            NEGOBOT_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
            NEGOBOT_INDEX_DIR=str(options.index_dir or workdir / "index"),
            NEGOBOT_USER_KEY_SECRET="bench",
            NEGOBOT_FAKE_DELAY_MS=str(options.fake_delay_ms),
            NEGOBOT_LOG_LEVEL="WARNING",
        )
        if options.embedding_model:
            env["NEGOBOT_EMBEDDING_MODEL"] = options.embedding_model
        service = "FakeService" if options.fake_service else "real service"
        if not options.fake_service and options.index_dir is None:
            build_index(env, options.articles)
        flood = ["--flood-limiter"] if options.flood_limiter else []
        results = []
        for name, serve_args in (
            ("echo", ["--serve", "echo", *flood]),
            (
                f"negobot ({service})",
                [
                    "--serve",
                    "negobot",
                    *flood,
                    *(["--fake-service"] if options.fake_service else []),
                ],
            ),
        ):
            process = start_bot(emulator, serve_args, env)
            try:
                results.append(
                    run_users(emulator, name, options.users, options.warmup, options.seconds)
                )
            finally:
                stop_bot(process)
    notes = [
        f"{options.users} closed-loop users, {options.warmup:g} s warm-up, "
        f"{options.seconds:g} s measured per bot; emulator and users in one process, each bot "
        "in its own; python-telegram-bot HTTP client.",
        "AIORateLimiter (Telegram flood limits, 30 msg/s): "
        + ("on" if options.flood_limiter else "off, so the numbers show the bot, not the cap")
        + ".",
    ]
    if options.fake_service:
        notes.append(f"FakeService with {options.fake_delay_ms:g} ms simulated inference.")
    else:
        model = options.embedding_model or "the configured model (NEGOBOT_EMBEDDING_MODEL)"
        notes.append(f"Real service, embedding model {model}, index of {options.articles}.")
    print(markdown_table(results, notes))


def serve(options: argparse.Namespace) -> None:
    """Run one bot (echo or negobot) until SIGTERM; used by the benchmark's own subprocesses."""
    logging.basicConfig(level=logging.WARNING)
    from bot.config import Settings
    from bot.telegram.app import ALLOWED_UPDATES, CONCURRENT_UPDATES, build_application

    settings = Settings()
    if options.serve == "negobot":
        if options.fake_service:
            from tests.support.fake_service import FakeService

            delay = float(os.environ.get("NEGOBOT_FAKE_DELAY_MS", "0")) / 1000
            service = FakeService(delay_seconds=delay)
        else:
            from bot.assistant import build_service
            from tests.support.embedders import register_fake

            register_fake()
            service = build_service(settings)
            # Load lazily built parts now, so the run measures answering, not a cold start.
            service.ask(QUESTIONS[0], front_end="telegram")
        application = build_application(settings, service, flood_limiter=options.flood_limiter)
    else:
        from telegram.ext import AIORateLimiter, Application, MessageHandler, filters

        async def echo(update, context) -> None:  # type: ignore[no-untyped-def]
            await update.message.reply_text(update.message.text)

        builder = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())  # type: ignore[union-attr]
            .base_url(settings.telegram_base_url)
            .concurrent_updates(CONCURRENT_UPDATES)
        )
        if options.flood_limiter:
            builder = builder.rate_limiter(AIORateLimiter())
        application = builder.build()
        application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per bot")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per bot")
    parser.add_argument("--fake-service", action="store_true", help="use FakeService")
    parser.add_argument("--fake-delay-ms", type=float, default=0.0, help="FakeService delay")
    parser.add_argument("--embedding-model", help="NEGOBOT_EMBEDDING_MODEL for the real service")
    parser.add_argument("--articles", type=Path, default=REPO / "tests" / "data" / "good")
    parser.add_argument("--index-dir", type=Path, help="use this index instead of building one")
    parser.add_argument("--flood-limiter", action="store_true", help="enable AIORateLimiter")
    parser.add_argument("--serve", choices=["echo", "negobot"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.users < 1 or options.seconds <= 0 or options.warmup < 0:
        parser.error("--users must be ≥ 1, --seconds > 0 and --warmup ≥ 0")
    if options.warmup + options.seconds > 60 and not options.serve:
        parser.error("keep a run under 60 s per bot: --warmup + --seconds ≤ 60")
    return options


if __name__ == "__main__":
    parsed = parse_options()
    if parsed.serve:
        serve(parsed)
    else:
        main_bench(parsed)
