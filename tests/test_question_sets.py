"""The evaluation question sets agree with their manifest, and set names resolve to files."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.support.bench import load_bench_script

question_sets = load_bench_script("question_sets")


def test_every_file_is_in_the_manifest_and_every_row_has_a_file() -> None:
    named = {row.name for row in question_sets.manifest()}
    files = {path.stem for path in question_sets.QUESTIONS_DIR.glob("*.jsonl")}
    assert named == files


def test_manifest_counts_match_the_files() -> None:
    rows = question_sets.manifest()
    assert rows, "the manifest lists the question sets"
    for row in rows:
        items = [json.loads(line) for line in row.path.read_text(encoding="utf-8").splitlines()]
        languages = Counter(item["language"] for item in items)
        assert row.questions == len(items), row.name
        assert row.in_scope == sum(item["in_scope"] for item in items), row.name
        assert row.out_of_scope == sum(not item["in_scope"] for item in items), row.name
        assert row.languages == {lang: languages[lang] for lang in ("en", "uk", "ru")}, row.name
        assert row.status == sum(item["status"] for item in items), row.name
        assert row.use in question_sets.USES, row.name
        assert row.name.startswith(f"{row.kind}-"), row.name
        assert row.note, row.name


def test_groups_resolve_to_their_sets_once_each_in_order() -> None:
    development = question_sets.resolve(["development"])
    held_out = question_sets.resolve(["held-out"])
    assert not set(development) & set(held_out)
    sample = [s for s in question_sets.manifest() if s.library == question_sets.DEFAULT_LIBRARY]
    assert len(development) + len(held_out) == len(sample)
    near_miss = question_sets.resolve(["near-miss-02", "near-miss"])
    assert [path.stem for path in near_miss] == [
        "near-miss-02",
        "near-miss-01",
        "near-miss-03",
        "near-miss-04",
        "near-miss-05",
        "near-miss-06",
    ]


def test_sets_over_another_library_come_only_by_name_or_kind() -> None:
    others = [s for s in question_sets.manifest() if s.library != question_sets.DEFAULT_LIBRARY]
    assert others, "the manifest lists a set over another library"
    groups = set(question_sets.resolve(["development", "held-out"]))
    for other in others:
        assert other.path not in groups
        assert other.path in question_sets.resolve([other.kind])
        assert question_sets.library_of([other.name]) == other.library
    assert question_sets.library_of(["ordinary-01"]) == question_sets.DEFAULT_LIBRARY
    with pytest.raises(SystemExit, match="question sets over different libraries"):
        question_sets.library_of(["ordinary-01", others[0].name])


def test_a_file_path_is_read_as_given(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mine.jsonl"
    path.write_text('{"question": "Who?"}\n\n', encoding="utf-8")
    assert question_sets.read_questions([path]) == [{"question": "Who?"}]


def test_an_unknown_name_is_one_clear_message() -> None:
    with pytest.raises(SystemExit, match="no question set or file named 'ordinary-99'"):
        question_sets.resolve(["ordinary-99"])
