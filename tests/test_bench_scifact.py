"""The SciFact benchmark's plumbing, on a tiny BEIR-layout folder with the fake embedder."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from index.documents import Chunk, SearchHit
from index.store import load_snapshot
from tests.support.articles import REPO_ROOT
from tests.support.bench import load_bench_script

# ranx compiles its metrics with numba on first use in a process: seconds alone, minutes on a
# busy two-core box; the limit leaves room for that, not for slow plumbing.
pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]

SCRIPT = REPO_ROOT / "bench" / "bench_scifact.py"

bench_scifact = load_bench_script("bench_scifact")
# Importable once the script has put the repository root on sys.path.

# Long enough (in fake tokens) that normal chunking must split it; the whole-article mode must not.
LONG_TEXT = " ".join(
    f"Sentence number {n} talks about ocean currents and tides." for n in range(60)
)


def write_beir(folder: Path) -> Path:
    """Write a three-abstract BEIR folder whose keyword outcomes are known in advance."""
    (folder / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": "d1", "title": "Cats", "text": "Cats purr when content. Cats drink milk."},
        {"_id": "d2", "title": "Dogs", "text": "Dogs bark at strangers. Dogs chase balls."},
        {"_id": "d3", "title": "Oceans", "text": LONG_TEXT},
    ]
    queries = [
        {"_id": "q1", "text": "milk"},  # shares a word with d1 only
        {"_id": "q2", "text": "zebra"},  # shares no word with any abstract
        {"_id": "q3", "text": "drinking"},  # matches d1 only once both are stemmed to "drink"
        {"_id": "q9", "text": "unjudged query"},
    ]
    for name, records in (("corpus.jsonl", corpus), ("queries.jsonl", queries)):
        lines = "".join(json.dumps(record) + "\n" for record in records)
        (folder / name).write_text(lines, encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td1\t1\n", encoding="utf-8"
    )
    return folder


def test_every_query_is_scored_through_ingest_and_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_beir(tmp_path / "beir")
    work = tmp_path / "work"
    docs = tmp_path / "scifact.md"
    configs = "dense-whole,dense,keyword,keyword-nostem,hybrid,hybrid-nostem"
    args = ["--data", str(data), "--model", "fake", "--work-dir", str(work), "--configs", configs]
    code = bench_scifact.main([*args, "--write-docs", "--docs-file", str(docs)])

    assert code == 0
    results = json.loads((work / "results.json").read_text(encoding="utf-8"))
    unstemmed = results["fake/keyword-nostem"]["scores"]
    # q1 is found first; q2 and q3 find nothing yet still count, as zeros, in the mean.
    assert unstemmed["ndcg@10"] == pytest.approx(1 / 3)
    assert unstemmed["recall@100"] == pytest.approx(1 / 3)
    # The shipped tokenizer stems, so "drinking" (q3) now finds d1's "drink" as well.
    stemmed = results["fake/keyword"]["scores"]
    assert stemmed["ndcg@10"] == pytest.approx(2 / 3)
    assert stemmed["recall@100"] == pytest.approx(2 / 3)
    for row in results.values():
        assert set(row["scores"]) == {"ndcg@10", "recall@10", "recall@100"}
        assert all(0.0 <= value <= 1.0 for value in row["scores"].values())

    table = capsys.readouterr().out
    assert "| `dense-whole` | fake |" in table
    assert "| `hybrid` | fake |" in table
    assert "| `keyword-nostem` | fake |" in table
    assert f"--configs {configs}" in docs.read_text()


def test_rows_from_renamed_configs_or_older_tokenizers_are_dropped(tmp_path: Path) -> None:
    current = bench_scifact.TOKENIZER_VERSION
    scores = {"ndcg@10": 0.5, "recall@10": 0.6, "recall@100": 0.7}
    saved = {
        "m/dense-whole": {"config": "dense-whole", "keyword_tokenizer": current},
        "m/keyword-whole": {"config": "keyword-whole", "keyword_tokenizer": "1"},
        "m/keyword-whole-stem": {"config": "keyword-whole-stem", "keyword_tokenizer": current},
        "m/hybrid": {"config": "hybrid"},
    }
    for row in saved.values():
        row.update(model="m", description="d", command="python x", scores=scores)
    (tmp_path / "results.json").write_text(json.dumps(saved), encoding="utf-8")

    assert list(bench_scifact.load_results(tmp_path)) == ["m/dense-whole"]


def test_whole_article_mode_keeps_one_chunk_per_abstract(tmp_path: Path) -> None:
    data = write_beir(tmp_path / "beir")
    work = tmp_path / "work"
    args = ["--data", str(data), "--model", "fake", "--work-dir", str(work)]
    assert bench_scifact.main([*args, "--configs", "dense-whole,dense"]) == 0

    whole = load_snapshot(work / "fake-whole")
    chunked = load_snapshot(work / "fake-c200o1s")
    assert whole is not None and chunked is not None
    assert [chunk.article_id for chunk in whole.chunks] == ["d1", "d2", "d3"]
    assert sum(chunk.article_id == "d3" for chunk in chunked.chunks) > 1
    assert {chunk.source for chunk in whole.chunks} == {"SciFact"}
    assert {chunk.published for chunk in whole.chunks} == {date(2000, 1, 1)}


def test_cached_index_is_reused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_beir(tmp_path / "beir")
    args = ["--data", str(data), "--model", "fake", "--work-dir", str(tmp_path / "w")]
    assert bench_scifact.main([*args, "--configs", "dense"]) == 0
    capsys.readouterr()
    assert bench_scifact.main([*args, "--configs", "dense"]) == 0
    assert "embedded 0 chunks" in capsys.readouterr().err


def test_article_scores_by_its_best_chunk() -> None:
    def hit(article_id: str, position: int) -> SearchHit:
        chunk = Chunk(article_id, position, "text", "title", date(2000, 1, 1), "SciFact", "", "en")
        return SearchHit(chunk=chunk, score=0.0)

    ranked = bench_scifact.rank_documents([hit("a", 1), hit("b", 0), hit("a", 0), hit("c", 0)])

    assert sorted(ranked, key=ranked.__getitem__, reverse=True) == ["a", "b", "c"]


def test_docs_update_touches_only_our_section(tmp_path: Path) -> None:
    docs = tmp_path / "scifact.md"
    docs.write_text(
        "# Benchmarks\n\nOther section.\n\n<!-- scifact:start -->\nold\n<!-- scifact:end -->\n"
        "\nTrailing section.\n",
        encoding="utf-8",
    )
    row = {
        "config": "hybrid", "model": "m", "description": "d", "command": "python x",
        "scores": {"ndcg@10": 0.5, "recall@10": 0.6, "recall@100": 0.7},
    }  # fmt: skip
    bench_scifact.write_docs({"m/hybrid": row}, docs)

    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nOther section.\n\n<!-- scifact:start -->")
    assert text.endswith("<!-- scifact:end -->\n\nTrailing section.\n")
    assert "old" not in text
    assert "| `hybrid` | m | d | 0.5000 | 0.6000 | 0.7000 |" in text


def test_absent_data_folder_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-scifact"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: benchmark data folder {missing} is absent"
    ]


def test_folder_without_qrels_is_named(tmp_path: Path) -> None:
    data = write_beir(tmp_path / "beir")
    (data / "qrels" / "test.tsv").unlink()

    code = bench_scifact.main(["--data", str(data), "--model", "fake", "--work-dir", str(tmp_path)])

    assert code == 2
