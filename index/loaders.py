"""Read articles from JSONL, Markdown/text with YAML front matter, and HTML pages."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from index.article_fields import build_article, json_kind
from index.documents import Article, LoadProblem
from index.html_pages import load_html

JSONL_SUFFIXES = frozenset({".jsonl"})
FRONT_MATTER_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = JSONL_SUFFIXES | FRONT_MATTER_SUFFIXES | HTML_SUFFIXES

_FRONT_MATTER_FENCE = "---"
_FRONT_MATTER_CLOSERS = ("---", "...")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)

LoadResult = Article | LoadProblem


def load_articles(paths: Iterable[str | Path]) -> Iterator[LoadResult]:
    """Yield an Article or a LoadProblem for every article found under the given paths."""
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            yield from _load_folder(path)
        elif path.exists():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield LoadProblem(str(path), f"unsupported file type {path.suffix or '(none)'}")
            else:
                yield from _load_file(path)
        else:
            yield LoadProblem(str(path), "no such file or directory")


def _load_folder(folder: Path) -> Iterator[LoadResult]:
    """Walk folder in sorted order, skipping hidden entries and unknown file types."""
    problems: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=problems.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            file = Path(root) / name
            if not name.startswith(".") and file.suffix.lower() in SUPPORTED_SUFFIXES:
                yield from _load_file(file)
        yield from _folder_problems(folder, problems)
    yield from _folder_problems(folder, problems)


def _folder_problems(folder: Path, errors: list[OSError]) -> Iterator[LoadProblem]:
    while errors:
        error = errors.pop(0)
        yield LoadProblem(str(error.filename or folder), f"cannot read folder: {error.strerror}")


def _load_file(path: Path) -> Iterator[LoadResult]:
    text_or_problem = _read_text(path)
    if isinstance(text_or_problem, LoadProblem):
        yield text_or_problem
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _load_jsonl(path, text_or_problem)
    elif suffix in HTML_SUFFIXES:
        yield load_html(path, text_or_problem)
    else:
        yield _load_front_matter_file(path, text_or_problem)


def _read_text(path: Path) -> str | LoadProblem:
    """Return the file's UTF-8 text, or the problem that stops it from being read as text."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return LoadProblem(str(path), f"cannot read file: {error.strerror or error}")
    if not data.strip():
        return LoadProblem(str(path), "empty file")
    if b"\x00" in data:
        return LoadProblem(str(path), "binary file (contains NUL bytes), expected UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        declared = _declared_html_charset(data) if path.suffix.lower() in HTML_SUFFIXES else None
        if declared is not None:
            return declared
        return LoadProblem(
            str(path), f"not UTF-8 text (undecodable byte at offset {error.start}); binary file?"
        )
    if not text.strip():
        return LoadProblem(str(path), "empty file")
    return text


def _declared_html_charset(data: bytes) -> str | None:
    """Decode an older page (e.g. windows-1251) with the charset its <meta> tag declares."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        return data.decode(match.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None


def _load_jsonl(path: Path, text: str) -> Iterator[LoadResult]:
    # split("\n") rather than splitlines(): U+2028 and friends are legal inside JSON strings.
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield LoadProblem(
                str(path), f"bad JSON: {error.msg} at column {error.colno}", line_number
            )
            continue
        if not isinstance(record, dict):
            kind = json_kind(record)
            yield LoadProblem(str(path), f"line is a JSON {kind}, not an object", line_number)
            continue
        yield build_article(path, record, record.get("text"), line_number)


def _load_front_matter_file(path: Path, text: str) -> LoadResult:
    lines = text.split("\n")
    if lines[0].rstrip() != _FRONT_MATTER_FENCE:
        return LoadProblem(
            str(path), "no YAML front matter (need title, published and source between '---' lines)"
        )
    closing = next(
        (i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in _FRONT_MATTER_CLOSERS),
        None,
    )
    if closing is None:
        return LoadProblem(str(path), "front matter opened with '---' on line 1 is never closed")
    try:
        fields = yaml.safe_load("\n".join(lines[1:closing]))
    except yaml.YAMLError as error:
        return _yaml_problem(path, error)
    if not isinstance(fields, dict):
        return LoadProblem(str(path), "front matter is not a mapping of 'field: value' lines", 1)
    body = "\n".join(lines[closing + 1 :])
    return build_article(path, fields, body, None)


def _yaml_problem(path: Path, error: yaml.YAMLError) -> LoadProblem:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "cannot parse"
    # The YAML text starts on file line 2, after the opening fence.
    line = mark.line + 2 if mark is not None else None
    return LoadProblem(str(path), f"malformed YAML front matter: {problem}", line)
