"""The en/uk/ru glossary: Cyrillic question terms found by stem and searched in English."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.documents import Article
from index.glossary import Glossary, default_glossary
from index.ingest import ingest_articles
from index.search import Searcher
from tests.support.articles import synthetic_article
from tests.support.embedders import FakeEmbedder


def _glossary(tmp_path: Path, rows: str) -> Glossary:
    path = tmp_path / "glossary.tsv"
    path.write_text("en\tuk\tru\n" + rows, encoding="utf-8")
    return Glossary.read(path)


def test_stems_match_every_case_ending_and_multiword_terms_need_their_words_in_a_row(
    tmp_path: Path,
) -> None:
    glossary = _glossary(
        tmp_path,
        "Easter|Easter truce\tвеликодн|пасхальн\tпасхальн\n"
        "Victory Day\tдень перемог\tдень побед\n"
        "truce\tперемиря\tперемири\n",
    )
    assert glossary.english_terms("Сколько длилось пасхальное перемирие?") == (
        "Easter Easter truce truce"
    )
    assert glossary.english_terms("Що сталося з великоднім перемир'ям?") == (
        "Easter Easter truce truce"
    )
    assert glossary.english_terms("Перемирие на День Победы") == "truce Victory Day"
    assert glossary.english_terms("Победа в день рождения") == ""
    assert glossary.english_terms("Easter truce") == ""


def test_malformed_rows_and_short_stems_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"glossary.tsv:2: expected three columns"):
        _glossary(tmp_path, "Easter\tвеликодн\n")
    with pytest.raises(ValueError, match=r"glossary.tsv:3: stems shorter than 4: \['сша'\]"):
        _glossary(tmp_path, "Easter\tвеликодн\tпасх\nUnited States\tсша\tсоедин штат\n")


def test_shipped_glossary_reads_and_covers_the_recurring_terms() -> None:
    glossary = default_glossary()
    assert len(glossary.concepts) >= 150
    terms = glossary.english_terms("обмін полоненими, перемир'я та меморандум").split()
    assert {"exchange", "truce", "memorandum"} <= {term.lower() for term in terms}
    assert "Umerov" in glossary.english_terms("Кто такой Умеров?")


def test_a_treaty_in_english_is_the_agreement_a_cyrillic_question_names() -> None:
    glossary = default_glossary()
    english = glossary.concept_numbers("The treaty itself is yet to be signed.")
    assert glossary.concept_numbers("Подписан ли мирный договор?") & english
    assert glossary.concept_numbers("Чи підписали мирну угоду?") & english
    assert "treaty" in glossary.english_terms("мирный договор").split()


def _article(identifier: str, title: str, text: str) -> Article:
    return synthetic_article(
        0, id=identifier, url=f"https://example.org/{identifier}", title=title, text=text
    )


def test_translated_terms_give_english_passages_a_keyword_vote(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    articles = [
        _article("victory", "Victory Day", "Russia declared a three-day Victory Day ceasefire."),
        _article("easter", "Easter", "Putin declared a short Easter truce of about 30 hours."),
    ]
    ingest_articles(articles, index_dir=tmp_path, embedder=fake)
    searcher = Searcher.open(tmp_path, fake)
    rows = {chunk.article_id: row for row, chunk in enumerate(searcher.snapshot.chunks)}
    query = np.asarray(fake.encode(["пасхальное перемирие"], kind="query")[0])
    dense = [(rows["victory"], 0.9), (rows["easter"], 0.8)]
    # Without a translation the dense ranks stand in for the keyword vote: Victory Day wins.
    plain = searcher.fuse(query, dense, [], 2, query_writing="ru")
    assert [hit.chunk.article_id for hit in plain] == ["victory", "easter"]
    translated = [(rows["easter"], 5.0)]
    fused = searcher.fuse(query, dense, [], 2, query_writing="ru", translated=translated)
    assert [hit.chunk.article_id for hit in fused] == ["easter", "victory"]
    # Through search(): the glossary turns the Russian words into "Easter truce".
    found = searcher.search("Сколько длилось пасхальное перемирие?", 2)
    assert found[0].chunk.article_id == "easter"


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        "Сколько длилось пасхальное перемирие, объявленное Путиным?",
        "Скільки тривало великоднє перемир'я?",
    ],
)
def test_an_easter_question_in_cyrillic_finds_the_english_easter_report(
    e5_searcher: Searcher, question: str
) -> None:
    hits = e5_searcher.search(question, 3)
    assert hits[0].chunk.article_id == "easter-truce-apr20", [h.chunk.article_id for h in hits]
