"""`negobot read`: answer a SQuAD 2.0-format file with the reader and write its predictions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.reader.squad import SquadFileError, read_examples


@click.command("read")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--predictions",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help='Where to write {question id: answer text}, "" for no answer.',
)
@click.option("--scores", is_flag=True, help="Also print EM, F1, HasAns F1 and NoAns F1.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--model",
    type=click.Path(path_type=Path, file_okay=False),
    help="A reader folder (ONNX graph and card); the shipped reader by default.",
)
def read_command(file: Path, out: Path, scores: bool, threads: int, model: Path | None) -> None:
    """Read every question of FILE with the shipped reader and write the predictions."""
    from bot.reader.evaluate import margins, predictions
    from bot.reader.model import MODEL_DIR, Reader, ReaderError
    from bot.reader.squad import score

    try:
        examples = read_examples(file)
    except SquadFileError as error:
        raise click.ClickException(str(error)) from None
    try:
        reader = Reader.load(model or MODEL_DIR, threads=threads)
    except ReaderError as error:
        raise click.ClickException(str(error)) from None
    found = margins(reader, examples)
    answers = predictions(found, reader.threshold)
    try:
        out.write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"{out}: cannot write predictions ({error.strerror})") from None
    answered = sum(1 for text in answers.values() if text)
    click.echo(f"{len(answers)} questions, {answered} answered; predictions in {out}", err=True)
    if scores:
        click.echo(score(examples, answers).line())
