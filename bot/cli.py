"""The `negobot` command line: ingest, search, ask, chat, serve, review, digests, housekeeping."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from bot.config import Settings, get_settings
from bot.logging_setup import configure_logging
from bot.profile import ProfileError, activate, active_profile, load_profile


class UserError(click.ClickException):
    """An error the user can fix; shown as one line, never a traceback."""

    def show(self, file: object = None) -> None:
        click.echo(f"negobot: {self.format_message()}", err=True)


def _load_embedder(settings: Settings, threads: int):  # type: ignore[no-untyped-def]
    from index.embedders.base import EmbeddingModelError, set_threads
    from index.embedders.registry import load_embedder

    set_threads(threads)
    try:
        return load_embedder(settings.embedding_model)
    except EmbeddingModelError as error:
        raise UserError(str(error)) from error


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise UserError(f"{option} {value!r} is not an ISO date (YYYY-MM-DD)") from error


@click.group()
@click.option(
    "--index-dir", type=click.Path(path_type=Path), help="Index folder (NEGOBOT_INDEX_DIR)."
)
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None) -> None:
    """Answer questions about peace negotiations from a cited news library."""
    settings = get_settings()
    if index_dir is not None:
        settings = settings.model_copy(update={"index_dir": index_dir})
    configure_logging(settings)
    try:
        activate(load_profile(settings.profile))
    except ProfileError as error:
        raise click.ClickException(str(error)) from error
    ctx.obj = settings


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rebuild", is_flag=True, help="Re-embed everything instead of adding to the index.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
def ingest(settings: Settings, paths: tuple[str, ...], rebuild: bool, quiet: bool) -> None:
    """Add articles to the index: files or folders of .jsonl/.md/.txt/.html, feed or page URLs."""
    from bot.ingesting import run_ingest
    from index.embedders.base import EmbeddingModelError
    from index.store import IndexStoreError

    try:
        report = run_ingest(settings, list(paths), rebuild=rebuild, progress=not quiet)
    except (IndexStoreError, EmbeddingModelError) as error:
        raise UserError(str(error)) from error
    for problem in report.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(report.summary())
    if not (report.added or report.replaced or report.unchanged):
        raise SystemExit(1)


@cli.command()
@click.argument("query")
@click.option("-k", "top_k", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--from", "date_from", help="Only articles published on or after this date.")
@click.option("--to", "date_to", help="Only articles published on or before this date.")
@click.option("--source", "sources", multiple=True, help="Only this outlet (repeatable).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "keyword"]), default="hybrid")
@click.pass_obj
def search(
    settings: Settings,
    query: str,
    top_k: int,
    as_json: bool,
    date_from: str | None,
    date_to: str | None,
    sources: tuple[str, ...],
    mode: str,
) -> None:
    """Print the passages that best match QUERY."""
    from index.search import Searcher, SearchFilters
    from index.store import IndexStoreError

    if not query.strip():
        raise UserError("the query is empty")
    filters = SearchFilters(
        published_from=_parse_date(date_from, "--from"),
        published_to=_parse_date(date_to, "--to"),
        sources=frozenset(sources),
    )
    embedder = _load_embedder(settings, settings.query_threads)
    try:
        searcher = Searcher.open(settings.index_dir, embedder)
    except IndexStoreError as error:
        raise UserError(str(error)) from error
    hits = searcher.search(query, top_k, filters=filters, mode=mode)
    if as_json:
        rows = [
            {
                **hit.chunk.to_json(),
                "chunk_id": hit.chunk.chunk_id,
                "score": round(hit.score, 6),
                "cosine": round(hit.dense_score or 0.0, 4),
                "dense_rank": hit.dense_rank,
                "keyword_rank": hit.keyword_rank,
            }
            for hit in hits
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("no matching passages")
    for number, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        click.echo(
            f"[{number}] {chunk.title} — {chunk.source}, {chunk.published.isoformat()} "
            f"(cosine {hit.dense_score or 0.0:.3f})"
        )
        click.echo(f"    {chunk.text}")
        if chunk.url:
            click.echo(f"    {chunk.url}")


def _service(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.assistant import build_service
    from index.embedders.base import EmbeddingModelError
    from index.store import IndexStoreError

    try:
        return build_service(settings)
    except (IndexStoreError, EmbeddingModelError) as error:
        raise UserError(str(error)) from error


def _answer_line(service, question: str, front_end: str, as_json: bool, conversation=None) -> str:  # type: ignore[no-untyped-def]
    """Answer one question as text or JSON; a refused question raises QuestionError."""
    from bot.answers.citing import render_plain

    answer = service.ask(question, front_end=front_end, conversation=conversation)
    if as_json:
        return json.dumps(answer.to_json(), ensure_ascii=False)
    return render_plain(answer)


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer.")
@click.pass_obj
def ask(settings: Settings, question: str | None, as_json: bool) -> None:
    """Answer QUESTION, or every line of standard input when no question is given.

    A refused question (too long) is a one-line error and makes the exit status 1; in stdin
    mode the other lines are still answered.
    """
    from bot.service import QuestionError

    service = _service(settings)
    refused = 0
    try:
        if question is not None:
            try:
                click.echo(_answer_line(service, question, "cli", as_json))
            except QuestionError as error:
                raise UserError(str(error)) from error
            return
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                click.echo(_answer_line(service, line, "cli", as_json))
            except QuestionError as error:
                refused += 1
                if as_json:
                    click.echo(json.dumps({"question": line.strip(), "error": str(error)}))
                else:
                    click.echo(f"negobot: {error}", err=True)
                continue
            if not as_json:
                click.echo()
    finally:
        service.close()
    if refused:
        raise SystemExit(1)


@cli.command()
@click.pass_obj
def chat(settings: Settings) -> None:
    """Ask questions in the terminal, through the same answering and logging as the bot."""
    service = _service(settings)
    click.echo(
        f"{active_profile().name} local chat: ask a question; /sources, /status [track], or /quit."
    )
    try:
        while True:
            try:
                question = input("you> ")
            except (EOFError, KeyboardInterrupt):
                click.echo()
                break
            command = question.strip().lower()
            if command in {"/quit", "/exit"}:
                break
            if not command:
                continue
            if command == "/sources":
                click.echo(service.sources_summary("en"))
            elif command.split()[0] == "/status":
                from bot.answers.citing import render_plain

                track = question.strip()[len("/status") :].strip() or None
                click.echo(render_plain(service.status("en", track=track, front_end="chat")))
            else:
                # The terminal is one private conversation: follow-ups work as in Telegram.
                click.echo(_answer_line(service, question, "chat", False, ("chat", "local")))
            click.echo()
    finally:
        service.close()


@cli.command()
@click.pass_obj
def serve(settings: Settings) -> None:
    """Run the Telegram bot (polling, or webhook when NEGOBOT_TELEGRAM_MODE=webhook)."""
    from bot.telegram.app import run_bot

    if settings.telegram_token is None:
        raise UserError("NEGOBOT_TELEGRAM_TOKEN is not set; use `negobot chat` to ask locally")
    service = _service(settings)
    if settings.health_port is not None:
        from bot.metrics import start_health_server

        start_health_server(
            settings.health_port,
            ready=lambda: service.searcher() is not None,
            index_version=lambda: service.searcher().version,
        )
    try:
        run_bot(settings, service)
    finally:
        service.close()


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Ingest the articles folder, then serve the bot, or open the local chat without a token."""
    settings: Settings = ctx.obj
    ctx.invoke(ingest, paths=(str(settings.articles_dir),), rebuild=False, quiet=False)
    if settings.telegram_token is None:
        click.echo("No NEGOBOT_TELEGRAM_TOKEN set: starting the local chat instead of Telegram.")
        ctx.invoke(chat)
    else:
        ctx.invoke(serve)


def _add_commands() -> None:
    from bot.alerts.command import digests_command
    from bot.reader.command import read_command
    from bot.review.commands import moderator_group, prune_command, review_command

    for command in (read_command, review_command, moderator_group, prune_command, digests_command):
        cli.add_command(command)


_add_commands()


def main() -> None:
    """Run the command line."""
    cli(prog_name="negobot")


if __name__ == "__main__":
    main()
