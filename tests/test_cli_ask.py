"""`negobot ask` and `negobot chat` through click: answers, JSON shape, stdin mode, logged rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, create_engine, select

from bot.cli import cli
from bot.config import get_settings
from bot.logstore.models import AnswerLog
from tests.support.articles import SAMPLE_ARTICLES


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at a fresh index of the sample articles and a SQLite log in tmp."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEGOBOT_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("NEGOBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("NEGOBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    monkeypatch.setenv("NEGOBOT_MAX_QUESTION_CHARS", "200")
    get_settings.cache_clear()
    assert invoke("ingest", "-q", str(SAMPLE_ARTICLES)).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def logged_questions(folder: Path) -> list[AnswerLog]:
    engine = create_engine(f"sqlite:///{folder / 'log.db'}")
    with Session(engine) as session:
        return list(session.exec(select(AnswerLog)).all())


def test_ask_prints_a_cited_answer_and_logs_it(library: Path) -> None:
    result = invoke("ask", "Who led the Russian delegation at the Istanbul talks?")
    assert result.exit_code == 0, result.output
    assert "[1]" in result.output
    assert "Sources:" in result.output
    rows = logged_questions(library)
    assert [row.question for row in rows] == [
        "Who led the Russian delegation at the Istanbul talks?"
    ]
    assert rows[0].front_end == "cli"


def test_ask_json_has_the_documented_shape(library: Path) -> None:
    result = invoke("ask", "--json", "How many bodies did Russia return to Ukraine?")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {
        "question",
        "answer",
        "language",
        "abstained",
        "as_of",
        "reviewed",
        "highlight",
        "sources",
    }
    assert answer["abstained"] is False and answer["language"] == "en"
    assert answer["sources"], "an answer that does not abstain cites something"
    source = answer["sources"][0]
    assert set(source) == {"title", "source", "published", "url", "score", "text"}


def test_ask_reads_one_question_per_line_from_stdin(library: Path) -> None:
    questions = "Where were the first direct talks held?\n\nBanana bread recipe?\n"
    result = invoke("ask", "--json", stdin=questions)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == [
        "Where were the first direct talks held?",
        "Banana bread recipe?",
    ]
    assert answers[1]["abstained"] is True and answers[1]["sources"] == []
    assert len(logged_questions(library)) == 2


def test_ask_with_a_too_long_question_fails_with_one_line_and_is_logged(library: Path) -> None:
    result = invoke("ask", "--json", "why " * 100)
    assert result.exit_code == 1
    assert result.stdout == ""
    # The last line of standard error (the log handler writes there too) is the one error.
    assert result.stderr.splitlines()[-1] == (
        "negobot: That question is too long (399 characters; the limit is 200)."
    )
    assert "Traceback" not in result.stderr
    [row] = logged_questions(library)
    assert (row.refused_reason, row.front_end, row.abstained) == ("too_long", "cli", False)
    assert row.question == "why " * 100


def test_ask_with_no_words_is_refused_as_empty_and_logged(library: Path) -> None:
    result = invoke("ask", "???")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("negobot: ")
    assert "Traceback" not in result.stderr
    [row] = logged_questions(library)
    assert (row.refused_reason, row.front_end, row.question) == ("empty", "cli", "???")


def test_ask_from_stdin_answers_the_rest_and_fails_after_a_refusal(library: Path) -> None:
    result = invoke("ask", "--json", stdin="why " * 100 + "\nWhere were the talks held?\n")
    assert result.exit_code == 1
    refusal, answer = [json.loads(line) for line in result.stdout.splitlines()]
    assert "too long" in refusal["error"]
    assert answer["question"] == "Where were the talks held?"
    assert sorted(str(row.refused_reason) for row in logged_questions(library)) == [
        "None",
        "too_long",
    ]


def test_ask_without_an_index_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEGOBOT_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("NEGOBOT_INDEX_DIR", str(tmp_path / "nothing"))
    get_settings.cache_clear()
    result = invoke("ask", "anything?")
    get_settings.cache_clear()
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [
        f"negobot: no index in {tmp_path / 'nothing'}: run `negobot ingest data/articles` first"
    ]


def test_chat_answers_and_quits(library: Path) -> None:
    result = invoke("chat", stdin="/sources\nWhere were the first direct talks held?\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "The library holds" in result.output
    assert "[1]" in result.output
    assert [row.front_end for row in logged_questions(library)] == ["chat"]


def test_local_chat_reads_follow_ups_in_context(library: Path) -> None:
    stdin = "and the bodies?\nWhere were the first direct talks held?\nwhen was that?\n/quit\n"
    result = invoke("chat", stdin=stdin)
    assert result.exit_code == 0, result.output
    # With nothing before it, the follow-up is asked for in full; after a question, it is read
    # about that question's subject.
    assert "Could you ask the whole question? e.g." in result.output
    assert "(about: Where were the first direct talks held?)" in result.output
    rows = {row.question: row for row in logged_questions(library)}
    assert rows["when was that?"].resolved_question == "when was that? first direct talks held"
    assert rows["and the bodies?"].abstain_reason == "incomplete"


def test_an_index_without_sentence_vectors_answers_and_is_upgraded_by_ingest(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An index as an older version wrote it: passage vectors only.
    monkeypatch.setenv("NEGOBOT_SENTENCE_VECTORS", "false")
    get_settings.cache_clear()
    assert invoke("ingest", "-q", "--rebuild", str(SAMPLE_ARTICLES)).exit_code == 0
    monkeypatch.setenv("NEGOBOT_SENTENCE_VECTORS", "true")
    get_settings.cache_clear()

    # The CLI's own log handler writes to the (captured) standard error.
    answered = invoke("ask", "Who led the Russian delegation at the Istanbul talks?")
    assert answered.exit_code == 0 and "[1]" in answered.output
    assert "has no sentence vectors" in answered.output

    upgraded = invoke("ingest", str(SAMPLE_ARTICLES))
    assert upgraded.exit_code == 0, upgraded.output
    assert "index upgraded" in upgraded.output and "embedded 0 chunks and" in upgraded.output
    again = invoke("ask", "Who led the Russian delegation?")
    assert again.exit_code == 0 and "serving index" in again.output
    assert "has no sentence vectors" not in again.output
