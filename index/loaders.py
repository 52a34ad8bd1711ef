"""Read articles from JSONL, Markdown/text with YAML front matter, and HTML pages."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from index.documents import Article, LoadProblem
from index.normalize import detect_language, normalize_text

JSONL_SUFFIXES = frozenset({".jsonl"})
FRONT_MATTER_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = JSONL_SUFFIXES | FRONT_MATTER_SUFFIXES | HTML_SUFFIXES

_LANGUAGE_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$")
_FRONT_MATTER_FENCE = "---"
_FRONT_MATTER_CLOSERS = ("---", "...")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
# With no real article, trafilatura falls back to stray menu text such as "Home".
_MIN_HTML_WORDS = 5
# The host part of a URL as trafilatura names a site that declares no name.
_ADDRESS_HOST = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")

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
        yield _load_html(path, text_or_problem)
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
            kind = _json_kind(record)
            yield LoadProblem(str(path), f"line is a JSON {kind}, not an object", line_number)
            continue
        yield _build_article(path, record, record.get("text"), line_number)


def _json_kind(value: Any) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


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
    return _build_article(path, fields, body, None)


def _yaml_problem(path: Path, error: yaml.YAMLError) -> LoadProblem:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "cannot parse"
    # The YAML text starts on file line 2, after the opening fence.
    line = mark.line + 2 if mark is not None else None
    return LoadProblem(str(path), f"malformed YAML front matter: {problem}", line)


def article_from_html(
    html: str, *, origin: str, url: str = "", fallback: Mapping[str, Any] | None = None
) -> LoadResult:
    """Extract the article in an HTML page read from `origin` (a URL or a file name).

    `url` is where the page was fetched (used when it names no canonical address);
    `fallback` fields (title, published, source) fill in what the page itself lacks.
    """
    return _load_html(origin, html, url=url, fallback=fallback)


def _load_html(
    path: Path | str, html: str, *, url: str = "", fallback: Mapping[str, Any] | None = None
) -> LoadResult:
    import trafilatura  # heavy import, only paid when HTML is actually loaded

    try:
        extracted = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception as error:  # a parser crash on one page must not stop the whole load
        return LoadProblem(str(path), f"cannot parse HTML: {type(error).__name__}: {error}")
    if extracted is None:
        return LoadProblem(str(path), "no article text found in HTML")
    found = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = found.get("text") or ""
    title = found.get("title") or ""
    if len(body.split()) < _MIN_HTML_WORDS:
        return LoadProblem(str(path), "no article text found in HTML")
    # trafilatura separates paragraphs with one newline; the library uses blank lines.
    paragraphs = [p for p in body.split("\n") if p.strip()]
    fields = {
        "title": title,
        "published": found.get("date"),
        "source": found.get("sitename") or found.get("hostname"),
        "url": found.get("url") or url,
    }
    if fallback and fallback.get("source") and _names_only_the_address(fields):
        fields["source"] = None  # an outlet name the caller knows beats a bare host name
    for name, value in (fallback or {}).items():
        if not fields.get(name):
            fields[name] = value
    return _build_article(path, fields, "\n\n".join(paragraphs), None)


def _names_only_the_address(fields: dict[str, Any]) -> bool:
    """Return whether the page's outlet name is just its host (trafilatura's own fallback)."""
    match = _ADDRESS_HOST.match(fields.get("url") or "")
    return match is not None and fields.get("source") == match.group(1)


def _build_article(
    path: Path | str, fields: dict[str, Any], body: Any, line: int | None
) -> LoadResult:
    """Validate the fields of one record and turn them into an Article."""
    reasons: list[str] = []
    title = _text_field(fields, "title", reasons)
    text = _text_value("text", body, reasons)
    published = _published(fields.get("published"), reasons)
    source = _text_field(fields, "source", reasons)
    if reasons:
        return LoadProblem(str(path), "; ".join(reasons), line)
    assert published is not None  # for type checkers: no reasons means it parsed
    title = " ".join(title.split())  # titles are single-line
    text = _without_repeated_title(text, title)
    return Article(
        title=title,
        text=text,
        published=published,
        source=" ".join(source.split()),
        url=_optional_text(fields.get("url")),
        language=_language(fields.get("language"), title, text),
        id=_optional_text(fields.get("id")),
    )


def _without_repeated_title(text: str, title: str) -> str:
    """Drop a leading heading that only repeats the title (Markdown '# Title' or an HTML <h1>)."""
    first, _, rest = text.partition("\n\n")
    if rest and " ".join(first.lstrip("#").split()) == title:
        return rest
    return text


def _text_field(fields: dict[str, Any], name: str, reasons: list[str]) -> str:
    return _text_value(name, fields.get(name), reasons)


def _text_value(name: str, value: Any, reasons: list[str]) -> str:
    if value is None:
        reasons.append(f"missing {name}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        reasons.append(f"{name} must be text, not {_json_kind(value)}")
        return ""
    normalized = normalize_text(str(value))
    if not normalized:
        reasons.append(f"empty {name}")
    return normalized


def _optional_text(value: Any) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return normalize_text(str(value))


def _published(value: Any, reasons: list[str]) -> date | None:
    """Accept YAML dates/datetimes and ISO date or datetime strings; keep the calendar date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        reasons.append("missing published date")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        candidate = value.strip()
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(candidate).date()
        except ValueError:
            pass
    reasons.append(f"published {value!r} is not an ISO date (expected e.g. 2025-06-02)")
    return None


def _language(value: Any, title: str, text: str) -> str:
    """Use a valid declared language code, else detect it from the title and text."""
    if isinstance(value, str):
        match = _LANGUAGE_CODE.match(value.strip().lower())
        if match:
            return match.group(1)
    return detect_language(f"{title}\n\n{text}")
