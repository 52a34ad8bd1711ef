"""Reader training examples made from the library's question sets."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from bot.reader.news_examples import answer_in, build_examples, fact_pattern, paragraphs_of
from bot.reader.squad import read_examples
from bot.reader.train import Recipe, training_examples
from index.documents import Article

ARTICLE = Article(
    title="Sides agree on a 1,000-for-1,000 swap",
    text="Delegations met in Istanbul on 16 May.\n\nThey agreed to swap 1 000 prisoners each.",
    published=date(2025, 5, 16),
    source="Test",
    id="swap-may16",
)


def test_fact_pattern_ignores_case_and_thousands_separators() -> None:
    pattern = fact_pattern("1,000")
    assert pattern.search("swap 1 000 prisoners")
    assert pattern.search("swap 1000 prisoners")
    assert fact_pattern("istanbul").search("met in Istanbul")
    assert not fact_pattern("100").search("swap 10 prisoners")


def test_answer_in_tries_each_spelling_and_returns_the_span() -> None:
    paragraphs = paragraphs_of(ARTICLE)
    assert paragraphs[0] == ARTICLE.title
    assert answer_in(paragraphs, ["Стамбул", "Istanbul"]) == (1, 19, 27)
    assert answer_in(paragraphs, ["Geneva"]) is None


def test_build_examples_reads_back_as_squad(tmp_path: Path) -> None:
    questions: list[dict[str, object]] = [
        {"set": "s", "id": "a", "question": "Where did they meet?", "in_scope": True,
         "expected_article": "swap-may16", "expected_fact": "istanbul"},
        {"set": "s", "id": "b", "question": "Which hotel?", "in_scope": False,
         "expected_article": None, "expected_fact": None},
        {"set": "s", "id": "c", "question": "Who mediated?", "in_scope": True,
         "expected_article": "swap-may16", "expected_fact": "Fidan"},
    ]  # fmt: skip
    nearest = {"s:b": paragraphs_of(ARTICLE)[1]}
    document, counts = build_examples(questions, [ARTICLE], nearest)
    assert counts == {"answerable": 1, "unanswerable": 1, "skipped": 1}
    path = tmp_path / "news.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    examples = {example.id: example for example in read_examples(path)}
    assert examples["s:a"].answers == ("Istanbul",)
    start = examples["s:a"].answer_starts[0]
    assert examples["s:a"].context[start : start + 8] == "Istanbul"
    assert not examples["s:b"].answerable


def _squad_file(path: Path, articles: int) -> None:
    data = [
        {"title": f"article-{number}", "paragraphs": [{"context": "Paris is in France.", "qas": [
            {"id": f"q{number}", "question": "Where is Paris?", "is_impossible": False,
             "answers": [{"text": "France", "answer_start": 12}]}]}]}
        for number in range(articles)
    ]  # fmt: skip
    path.write_text(json.dumps({"version": "v2.0", "data": data}), encoding="utf-8")


def test_a_second_stage_samples_the_public_data_and_adds_the_extra_files(tmp_path: Path) -> None:
    _squad_file(tmp_path / "squad2-dev-open.json", 20)
    _squad_file(tmp_path / "tydiqa-goldp-en-train.json", 5)
    _squad_file(tmp_path / "news.json", 3)
    first, split = training_examples(tmp_path, Recipe(test_articles=2, dev_articles=1))
    assert len(first) == 17 + 5
    assert not {example.article for example in first} & set(split["test"] + split["dev"])
    second, again = training_examples(
        tmp_path,
        Recipe(
            test_articles=2, dev_articles=1, public_sample=6, extra=(str(tmp_path / "news.json"),)
        ),
    )
    assert again == split
    assert len(second) == 6 + 3
    expected = random.Random(13).sample(first, 6)
    assert [example.id for example in second[:6]] == [example.id for example in expected]
