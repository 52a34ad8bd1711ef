"""`negobot read FILE --predictions OUT`: SQuAD predictions, scores and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from tests.support.readers import tiny_reader_folder

SMALL = Path(__file__).parent / "data" / "squad-small.json"


@pytest.fixture(scope="module")
def reader_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_reader_folder(tmp_path_factory.mktemp("reader"), threshold=-100.0)


def read(*args: str) -> Result:
    return CliRunner().invoke(cli, ["read", *args])


def test_read_writes_one_prediction_per_question(tmp_path: Path, reader_folder: Path) -> None:
    out = tmp_path / "predictions.json"
    result = read(str(SMALL), "--predictions", str(out), "--model", str(reader_folder), "--scores")
    assert result.exit_code == 0, result.output
    predictions = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(predictions) == ["ist-1", "ist-2", "ist-3", "ru-1"]
    # With a threshold far below every margin, every question gets a span from its context.
    assert all(text for text in predictions.values())
    assert all(isinstance(text, str) for text in predictions.values())
    source = json.loads(SMALL.read_text(encoding="utf-8"))
    paragraphs = [p["context"] for a in source["data"] for p in a["paragraphs"]]
    assert all(any(text in context for context in paragraphs) for text in predictions.values())
    assert "EM " in result.output and "NoAns F1" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("[1, 2", "not valid JSON"),
        (
            '{"data": [{"paragraphs": [{"qas": [{"id": "x9", "question": "Who?"}]}]}]}',
            "x9 has no context",
        ),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, content: str | None, message: str
) -> None:
    source = tmp_path / "in.json"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    result = read(str(source), "--predictions", str(tmp_path / "out.json"))
    assert result.exit_code != 0
    error_lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(error_lines) == 1 and message in error_lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.json").exists()


def test_a_missing_reader_folder_is_reported(tmp_path: Path) -> None:
    result = read(str(SMALL), "--predictions", str(tmp_path / "o.json"), "--model", str(tmp_path))
    assert result.exit_code != 0 and "reader card not found" in result.output
