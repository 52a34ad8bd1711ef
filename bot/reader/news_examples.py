"""Reader training examples from the project's own question sets over its own articles.

An in-scope question becomes an answerable example on the paragraph of its expected article that
holds the expected fact; an out-of-scope question becomes an unanswerable example on the paragraph
that is nearest to it in the whole library (the passage the bot would most likely read). The output
is a SQuAD 2.0-format file, so training reads it like the public data.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from index.documents import Article
from index.loaders import load_articles


def paragraphs_of(article: Article) -> list[str]:
    """Return the article's paragraphs (blank-line separated), headline first."""
    parts = [part.strip() for part in article.text.split("\n\n")]
    return [article.title, *[part for part in parts if part]]


def read_questions(paths: Iterable[Path]) -> list[dict[str, object]]:
    """Return the questions of JSON-lines sets, each tagged with its set's name."""
    questions: list[dict[str, object]] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                item["set"] = path.stem
                questions.append(item)
    return questions


def fact_pattern(fact: str) -> re.Pattern[str]:
    """Match the fact in any case, with or without thousands separators between digits."""
    bare = fact.replace(",", "")
    text = ""
    for position, character in enumerate(bare):
        text += re.escape(character)
        if character.isdigit() and bare[position + 1 : position + 2].isdigit():
            text += "[,\u00a0 ]?"
    return re.compile(text, re.IGNORECASE)


def answer_in(paragraphs: Sequence[str], facts: Sequence[str]) -> tuple[int, int, int] | None:
    """Return (paragraph number, start, end) of the first spelling of the fact found."""
    for fact in facts:
        pattern = fact_pattern(fact)
        for number, paragraph in enumerate(paragraphs):
            match = pattern.search(paragraph)
            if match:
                return number, match.start(), match.end()
    return None


def build_examples(
    questions: Sequence[dict[str, object]],
    articles: Sequence[Article],
    nearest: dict[str, str],
) -> tuple[dict[str, object], dict[str, int]]:
    """Return a SQuAD 2.0 document and counts of what was kept and skipped.

    `nearest` maps an out-of-scope question's id to the paragraph it is read against.
    """
    by_id = {article.key: paragraphs_of(article) for article in articles}
    paragraphs: dict[str, list[dict[str, object]]] = {}
    counts = {"answerable": 0, "unanswerable": 0, "skipped": 0}
    for item in questions:
        question_id = f"{item['set']}:{item['id']}"
        if item.get("in_scope") and item.get("expected_fact") and item.get("expected_article"):
            fact = item["expected_fact"]
            facts = [fact] if isinstance(fact, str) else [str(spelling) for spelling in fact]  # type: ignore[attr-defined]
            found = answer_in(by_id.get(str(item["expected_article"]), []), facts)
            if found is None:
                counts["skipped"] += 1
                continue
            number, offset, end = found
            context = by_id[str(item["expected_article"])][number]
            text = context[offset:end]
            qa = {
                "id": question_id,
                "question": item["question"],
                "is_impossible": False,
                "answers": [{"text": text, "answer_start": offset}],
            }
            counts["answerable"] += 1
        elif not item.get("in_scope") and question_id in nearest:
            context = nearest[question_id]
            qa = {
                "id": question_id,
                "question": item["question"],
                "is_impossible": True,
                "answers": [],
            }
            counts["unanswerable"] += 1
        else:
            counts["skipped"] += 1
            continue
        paragraphs.setdefault(context, []).append(qa)
    document: dict[str, object] = {
        "version": "v2.0",
        "data": [
            {
                "title": "negobot-library",
                "paragraphs": [
                    {"context": context, "qas": qas} for context, qas in paragraphs.items()
                ],
            }
        ],
    }
    return document, counts


def nearest_paragraphs(
    questions: Sequence[dict[str, object]], articles: Sequence[Article], model: str
) -> dict[str, str]:
    """Map each out-of-scope question's id to the library paragraph nearest to it."""
    from index.embedders.registry import load_embedder

    pool = [paragraph for article in articles for paragraph in paragraphs_of(article)]
    wanted = [item for item in questions if not item.get("in_scope")]
    if not wanted:
        return {}
    embedder = load_embedder(model)
    passages = embedder.encode(pool, kind="passage")
    queries = embedder.encode([str(item["question"]) for item in wanted], kind="query")
    best = (queries @ passages.T).argmax(axis=1)
    pairs = zip(wanted, best, strict=True)
    return {f"{item['set']}:{item['id']}": pool[int(row)] for item, row in pairs}


def main(argv: Sequence[str] | None = None) -> int:
    """Write the SQuAD-format file made from question sets and articles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="+", type=Path, help="JSON-lines question sets")
    parser.add_argument("--articles", type=Path, default=Path("data/articles"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default="multilingual-e5-small")
    arguments = parser.parse_args(argv)
    loaded = list(load_articles([arguments.articles]))
    articles = [item for item in loaded if isinstance(item, Article)]
    if not articles:
        print(f"error: no articles under {arguments.articles}", file=sys.stderr)
        return 2
    try:
        questions = read_questions(arguments.questions)
    except (OSError, json.JSONDecodeError) as error:
        print(f"error: cannot read the question sets ({error})", file=sys.stderr)
        return 2
    nearest = nearest_paragraphs(questions, articles, arguments.model)
    document, counts = build_examples(questions, articles, nearest)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({"out": str(arguments.out), **counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
