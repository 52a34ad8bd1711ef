"""Check the sample articles and the evaluation questions against each other.

Run from anywhere: `python bench/check_questions.py [--articles DIR] [--questions SET ...]`
(every set of bench/questions/ by default, each against its own library; SET as in
bench/question_sets.py). Exits 1 and lists
every problem when an article's front matter is malformed, a question names a missing article,
or an expected fact does not occur in its article's text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from question_sets import manifest, resolve

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES = REPO_ROOT / "data" / "articles"

LANGUAGES = {"en", "uk", "ru"}
FRONT_MATTER_FIELDS = ("title", "published", "source", "url", "language", "id")
QUESTION_FIELDS = {
    "id": str,
    "question": str,
    "language": str,
    "expected_article": (str, type(None)),
    # One spelling, or several (a name written in Latin and in Cyrillic).
    "expected_fact": (str, list, type(None)),
    "in_scope": bool,
    "status": bool,
}


@dataclass(frozen=True)
class ArticleFile:
    """One article as the checker sees it: its front matter and body text."""

    path: Path
    meta: dict[str, Any]
    body: str


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Return (front matter, body), or None when the file has no `---` fenced header."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end == -1:
        return None
    return text[4:end], text[end + 5 :]


def published_is_iso(value: Any) -> bool:
    """Accept a YAML date or a YYYY-MM-DD string."""
    if isinstance(value, date):
        return True
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def load_articles(folder: Path, problems: list[str]) -> dict[str, ArticleFile]:
    """Read every *.md article under folder, keyed by its front-matter id."""
    articles: dict[str, ArticleFile] = {}
    for path in sorted(folder.glob("*.md")):
        name = path.name
        parts = split_front_matter(path.read_text(encoding="utf-8"))
        if parts is None:
            problems.append(f"{name}: no front matter between '---' lines")
            continue
        header, body = parts
        try:
            meta = yaml.safe_load(header)
        except yaml.YAMLError as error:
            problems.append(f"{name}: front matter is not valid YAML ({error.__class__.__name__})")
            continue
        if not isinstance(meta, dict):
            problems.append(f"{name}: front matter is not a mapping")
            continue
        missing = [field for field in FRONT_MATTER_FIELDS if field not in meta]
        if missing:
            problems.append(f"{name}: front matter lacks {', '.join(missing)}")
            continue
        if not published_is_iso(meta["published"]):
            problems.append(f"{name}: published {meta['published']!r} is not YYYY-MM-DD")
        if meta["language"] not in LANGUAGES:
            problems.append(f"{name}: language {meta['language']!r} not one of {sorted(LANGUAGES)}")
        if not str(meta["id"]).strip() or not str(meta["title"]).strip() or not body.strip():
            problems.append(f"{name}: empty id, title or body")
            continue
        article_id = str(meta["id"])
        if article_id in articles:
            first = articles[article_id].path.name
            problems.append(f"{name}: duplicate id {article_id!r} (also in {first})")
            continue
        articles[article_id] = ArticleFile(path=path, meta=meta, body=body)
    if not articles:
        problems.append(f"{folder}: no articles found")
    return articles


def check_question(record: Any, articles: dict[str, ArticleFile]) -> list[str]:
    """List what is wrong with one question record (empty when it is consistent)."""
    if not isinstance(record, dict):
        return ["not a JSON object"]
    problems = [
        f"field {field!r} missing or not {kind}"
        for field, kind in QUESTION_FIELDS.items()
        if not isinstance(record.get(field), kind)
    ]
    if problems:
        return problems
    if record["language"] not in LANGUAGES:
        problems.append(f"language {record['language']!r} not one of {sorted(LANGUAGES)}")
    article_id, fact = record["expected_article"], record["expected_fact"]
    if not record["in_scope"]:
        if article_id is not None or fact is not None:
            problems.append("out-of-scope question must have null expected_article and fact")
        if record["status"]:
            problems.append("a status question must be in scope")
        return problems
    if article_id is None:
        return problems
    article = articles.get(article_id)
    if article is None:
        problems.append(f"expected_article {article_id!r} does not exist")
    elif fact is not None:
        spellings = [fact] if isinstance(fact, str) else fact
        if not spellings or not all(isinstance(s, str) and s for s in spellings):
            problems.append("expected_fact must be a string or a list of non-empty strings")
        elif not any(s.casefold() in article.body.casefold() for s in spellings):
            problems.append(f"expected_fact {fact!r} not found in {article.path.name}")
    return problems


def check_questions(
    path: Path, articles: dict[str, ArticleFile], problems: list[str]
) -> list[dict]:
    """Validate every line of the questions file and return the parsed records."""
    records: list[dict] = []
    seen_ids: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not valid JSON ({error.msg})")
            continue
        for problem in check_question(record, articles):
            problems.append(f"{where}: {problem}")
        if isinstance(record, dict):
            question_id = record.get("id")
            if question_id in seen_ids:
                problems.append(f"{where}: duplicate id {question_id!r}")
            seen_ids.add(question_id)
            records.append(record)
    return records


def summarise(articles: dict[str, ArticleFile], records: list[dict]) -> list[str]:
    """Describe the corpus and the question set in a few lines."""
    article_languages = Counter(str(a.meta["language"]) for a in articles.values())
    languages = Counter(str(r.get("language")) for r in records)
    in_scope = Counter(str(r.get("language")) for r in records if r.get("in_scope"))
    cross_language = sum(
        1
        for r in records
        if r.get("expected_article") in articles
        and articles[r["expected_article"]].meta["language"] != r.get("language")
    )
    return [
        f"articles: {len(articles)} ({dict(sorted(article_languages.items()))})",
        f"questions: {len(records)}; by language {dict(sorted(languages.items()))}",
        f"in scope by language {dict(sorted(in_scope.items()))}; "
        f"out of scope {sum(1 for r in records if r.get('in_scope') is False)}; "
        f"status {sum(1 for r in records if r.get('status') is True)}; "
        f"cross-language {cross_language}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run all checks, print a summary and any problems; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=Path, default=None, help="The library (default: each set's own)."
    )
    parser.add_argument("--questions", nargs="*", default=[s.name for s in manifest()])
    args = parser.parse_args(argv)
    if args.articles is not None and not args.articles.exists():
        print(f"error: {args.articles} does not exist", file=sys.stderr)
        return 2
    problems: list[str] = []
    libraries = {s.path: REPO_ROOT / s.library for s in manifest()}
    loaded: dict[Path, dict[str, ArticleFile]] = {}
    for path in resolve(args.questions):
        folder = args.articles or libraries.get(path, DEFAULT_ARTICLES)
        if folder not in loaded:
            loaded[folder] = load_articles(folder, problems)
        articles = loaded[folder]
        print(f"{path.name}:")
        for line in summarise(articles, check_questions(path, articles, problems)):
            print(f"  {line}")
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    print("OK" if not problems else f"FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
