"""`negobot ingest` and `negobot search` through click: summaries, JSON shape, one-line errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.config import get_settings
from index.documents import Article
from index.ingest import ingest_articles
from index.ingest_report import IngestReport
from index.loaders import load_articles
from tests.support.articles import SAMPLE_ARTICLES
from tests.support.embedders import FakeEmbedder

GOOD_ARTICLE = """---
title: Talks resume in Istanbul
published: 2025-06-02
source: Sample Wire
---
Delegations met again on Monday in Istanbul. They agreed to exchange 6,000 bodies.
"""


@pytest.fixture
def index_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the settings at a fresh index folder and the fake embedder."""
    folder = tmp_path / "index"
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    monkeypatch.setenv("NEGOBOT_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("NEGOBOT_INDEX_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("negobot: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """One good article, a JSONL file with one bad line among good ones, and an empty file."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_ARTICLE, encoding="utf-8")
    good_line = {
        "title": "Prisoner swap",
        "text": "Both sides exchanged 390 prisoners on Friday.",
        "published": "2025-05-23",
        "source": "Wire",
        "url": "https://example.org/swap",
    }
    (folder / "feed.jsonl").write_text(json.dumps(good_line) + "\n{not json\n", encoding="utf-8")
    (folder / "empty.md").write_text("", encoding="utf-8")
    return folder


def test_ingest_prints_counts_and_one_line_per_bad_file(
    index_folder: Path, mixed_folder: Path
) -> None:
    result = invoke("ingest", "-q", str(mixed_folder))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    problems = result.stderr.strip().splitlines()
    assert sorted(problems) == sorted(
        [
            f"skipped {mixed_folder / 'empty.md'}: empty file",
            f"skipped {mixed_folder / 'feed.jsonl'}:2: bad JSON: Expecting property name "
            "enclosed in double quotes at column 2",
        ]
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("added 2, replaced 0, unchanged 0, skipped 2 (")
    assert "2 problem(s)" in summary
    assert "index now 2 articles" in summary and "(gen-000001)" in summary
    assert (index_folder / "CURRENT").exists()


def test_ingest_twice_reports_unchanged_and_succeeds(index_folder: Path) -> None:
    first = invoke("ingest", "-q", str(SAMPLE_ARTICLES))
    assert first.exit_code == 0, first.output
    count = len(list(SAMPLE_ARTICLES.glob("*.md")))
    assert first.stdout.startswith(f"added {count}, ")
    again = invoke("ingest", "-q", str(SAMPLE_ARTICLES))
    assert again.exit_code == 0
    assert again.stdout.startswith(f"added 0, replaced 0, unchanged {count};")
    assert "(index unchanged)" in again.stdout


def test_ingest_of_only_bad_input_fails(index_folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = invoke("ingest", "-q", str(missing))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip() == f"skipped {missing}: no such file or directory"
    assert result.stdout.startswith("added 0, replaced 0, unchanged 0")
    assert not index_folder.exists()


def test_ingest_into_an_index_of_another_model_is_a_one_line_error(index_folder: Path) -> None:
    other = FakeEmbedder(name="other-model")
    ingest_articles(load_articles([SAMPLE_ARTICLES]), index_dir=index_folder, embedder=other)
    result = invoke("ingest", "-q", str(SAMPLE_ARTICLES))
    assert_one_line_error(result, "'other-model'", "'fake'")


def test_ingest_with_an_unknown_model_is_a_one_line_error(
    index_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEGOBOT_EMBEDDING_MODEL", "no-such-model")
    get_settings.cache_clear()
    assert_one_line_error(invoke("ingest", "-q", str(SAMPLE_ARTICLES)), "'no-such-model'")


@pytest.fixture
def ingested(index_folder: Path) -> Path:
    assert invoke("ingest", "-q", str(SAMPLE_ARTICLES)).exit_code == 0
    return index_folder


def test_search_json_shape(ingested: Path) -> None:
    result = invoke("search", "--json", "-k", "4", "prisoner exchange 6000")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and len(rows) == 4
    expected_keys = {
        "article_id", "position", "text", "title", "published", "source", "url", "language",
        "chunk_id", "score", "cosine", "dense_rank", "keyword_rank",
    }  # fmt: skip
    for row in rows:
        assert set(row) == expected_keys
        assert row["chunk_id"] == f"{row['article_id']}#{row['position']}"
        assert -1.0 <= row["cosine"] <= 1.0 and row["score"] > 0
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert any("6,000" in row["text"] for row in rows)


def test_search_filters_from_the_command_line(ingested: Path) -> None:
    result = invoke(
        "search", "--json", "-k", "50", "--from", "2025-05-01", "--to", "2025-06-30",
        "--source", "bbc", "talks",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows
    assert all(row["source"] == "BBC" for row in rows)
    assert all("2025-05-01" <= row["published"] <= "2025-06-30" for row in rows)


def test_search_plain_output_cites_each_passage(ingested: Path) -> None:
    result = invoke("search", "-k", "2", "Medinsky")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("[1] ")
    assert "[2] " in result.stdout and "cosine" in result.stdout


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_search_with_a_bad_date_is_a_one_line_error(ingested: Path, option: str) -> None:
    result = invoke("search", option, "2025-13-01", "talks")
    assert_one_line_error(result, option, "'2025-13-01'", "YYYY-MM-DD")


def test_search_without_an_index_is_a_one_line_error(index_folder: Path) -> None:
    result = invoke("search", "talks")
    assert_one_line_error(result, "no index in", str(index_folder), "negobot ingest")


def test_search_an_index_of_another_model_is_a_one_line_error(
    index_folder: Path, sample_articles: list[Article]
) -> None:
    ingest_articles(sample_articles, index_dir=index_folder, embedder=FakeEmbedder(name="other"))
    assert_one_line_error(invoke("search", "talks"), "'other'", "'fake'")


def test_search_with_an_empty_query_is_a_one_line_error(ingested: Path) -> None:
    assert_one_line_error(invoke("search", "   "), "query is empty")


def test_ingest_shows_throughput_in_its_progress_bar_and_summary(index_folder: Path) -> None:
    result = invoke("ingest", str(SAMPLE_ARTICLES))
    assert result.exit_code == 0, result.output
    assert "embedding" in result.stderr and "chunk/s" in result.stderr  # the live progress bar
    summary = result.stdout.strip().splitlines()[-1]
    embedded = re.search(r"embedded (\d+) chunks .* in ([\d.]+)s \(([\d.]+) chunks/s", summary)
    assert embedded is not None, summary
    assert int(embedded[1]) > 0 and float(embedded[3]) > 0
    again = invoke("ingest", "-q", str(SAMPLE_ARTICLES))
    assert "chunks/s" not in again.stdout  # nothing embedded, no rate to report


def test_throughput_is_chunks_per_second_and_the_share_spent_encoding() -> None:
    report = IngestReport(chunks_embedded=120, seconds=8.0, encode_seconds=6.0)
    assert report.throughput() == " (15.0 chunks/s, encoding 75% of the run)"
    assert IngestReport(chunks_embedded=0, seconds=3.0).throughput() == ""
