"""Hybrid search: keyword rescue of rare names and numbers, RRF order, filters, missing indexes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.chunking import ChunkingSettings
from index.documents import Article
from index.embedders.base import Embedder
from index.ingest import ingest_articles
from index.keyword import KeywordIndex, tokenize
from index.normalize import dominant_script, keyword_writing
from index.search import Searcher, SearchFilters
from index.store import IndexStoreError
from index.tuning import SEARCH_TUNING
from tests.support.articles import REPO_ROOT
from tests.support.embedders import FakeEmbedder
from tests.support.search import brute_force_best_sentence


@pytest.fixture
def searcher(index_dir: Path, fake_embedder: FakeEmbedder) -> Searcher:
    return Searcher.open(index_dir, fake_embedder)


@pytest.fixture
def keyword_searcher(
    tmp_path: Path, fake_embedder: FakeEmbedder, sample_articles: list[Article]
) -> Searcher:
    """A searcher over the English articles with chunk vectors only, for keyword-vote tests.

    Passages in another alphabet take their keyword vote from their dense rank, which for the
    fake embedder is noise (see the test on alphabets below), and with a vector per sentence the
    fake embedder finds a rare name by itself.
    """
    english = [article for article in sample_articles if article.language == "en"]
    folder = tmp_path / "english-index"
    ingest_articles(
        english,
        index_dir=folder,
        embedder=fake_embedder,
        chunking=ChunkingSettings(sentence_vectors=False),
    )
    return Searcher.open(folder, fake_embedder)


def test_rare_name_is_found_by_keyword_when_dense_misses_it(keyword_searcher: Searcher) -> None:
    searcher = keyword_searcher
    query = "Who is Medinsky"
    dense = searcher.search(query, 3, mode="dense")
    assert not any("Medinsky" in hit.chunk.text for hit in dense)
    hybrid = searcher.search(query, 5)
    assert all("Medinsky" in hit.chunk.text for hit in hybrid)
    assert all(hit.keyword_rank is not None for hit in hybrid)
    assert all(hit.dense_rank is None or hit.dense_rank > 3 for hit in hybrid)
    assert 1 in {hit.keyword_rank for hit in hybrid}


def test_number_written_with_separators_matches_plain_digits(keyword_searcher: Searcher) -> None:
    searcher = keyword_searcher
    query = "bodies 6000 returned"
    dense_first = searcher.search(query, 1, mode="dense")[0]
    assert "6,000" not in dense_first.chunk.text
    hybrid_first = searcher.search(query, 1)[0]
    assert "6,000" in hybrid_first.chunk.text
    assert hybrid_first.keyword_rank == 1


@pytest.mark.parametrize("written", ["6,000", "6000", "6\u00a0000", "6\u202f000", "6 000"])
def test_thousands_separators_tokenize_alike(written: str) -> None:
    assert tokenize(f"returned {written} bodies") == ["return", "6000", "bodi"]
    index = KeywordIndex.build(["a swap of 6000 bodies", "a swap of 1,000 prisoners", "no number"])
    assert [row for row, _ in index.top(written, 3)] == [0]


def test_apostrophes_and_stopwords_do_not_matter() -> None:
    assert tokenize("Зеленськ’ий and Зеленськʼий") == tokenize("Зеленськ'ий Зеленський")
    index = KeywordIndex.build(["the of and", "Istanbul talks"])
    assert index.top("what is the", 5) == []
    assert [row for row, _ in index.top("Istanbul", 5)] == [1]


def test_fused_scores_are_reciprocal_rank_sums_in_a_stable_order(
    searcher: Searcher, index_dir: Path, fake_embedder: FakeEmbedder
) -> None:
    query = "prisoner exchange agreed in Istanbul"
    hits = searcher.search(query, 10)
    assert len(hits) == 10
    for hit in hits:
        ranks = (hit.dense_rank, hit.keyword_rank, hit.concept_rank)
        expected = sum(1.0 / (SEARCH_TUNING.rrf_k + rank) for rank in ranks if rank)
        assert hit.score == pytest.approx(expected)
    # The concept vote is for Ukrainian and Russian questions; an English one has BM25.
    assert not any(hit.concept_rank for hit in hits)
    cyrillic = searcher.search("обмін полоненими в Стамбулі", 10)
    assert any(hit.concept_rank for hit in cyrillic)
    for hit in cyrillic:
        ranks = (hit.dense_rank, hit.keyword_rank, hit.concept_rank)
        assert (
            hit.score >= sum(1.0 / (SEARCH_TUNING.rrf_k + rank) for rank in ranks if rank) - 1e-12
        )
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    again = Searcher.open(index_dir, fake_embedder).search(query, 10)
    assert [(h.chunk.chunk_id, h.score) for h in again] == [
        (h.chunk.chunk_id, h.score) for h in hits
    ]


def test_fusion_breaks_ties_by_row(searcher: Searcher) -> None:
    vector = np.zeros(64, dtype=np.float32)
    hits = searcher.fuse(vector, [(5, 0.9), (2, 0.8)], [(2, 3.0), (5, 1.0)], k=2)
    # Rows 5 and 2 both have ranks 1 and 2: equal scores, the lower row comes first.
    assert [hit.chunk for hit in hits] == [searcher.snapshot.chunks[2], searcher.snapshot.chunks[5]]
    assert hits[0].score == hits[1].score


def test_every_hit_carries_its_cosine(searcher: Searcher, fake_embedder: FakeEmbedder) -> None:
    query = "Medinsky"
    vector = fake_embedder.encode([query], kind="query")[0]
    vectors = np.asarray(searcher.snapshot.vectors)
    rows = {chunk.chunk_id: row for row, chunk in enumerate(searcher.snapshot.chunks)}
    hits = searcher.search(query, 5, mode="keyword")
    assert hits, "the sample library names Medinsky, so the keyword search must find him"
    for hit in hits:
        cosine = float(vectors[rows[hit.chunk.chunk_id]] @ vector)
        assert hit.dense_score == pytest.approx(cosine, abs=1e-5)


def test_date_filter_is_exact(searcher: Searcher, fake_embedder: FakeEmbedder) -> None:
    start, end = date(2025, 5, 1), date(2025, 6, 30)
    filters = SearchFilters(published_from=start, published_to=end)
    chunks = searcher.snapshot.chunks
    inside = [row for row, chunk in enumerate(chunks) if start <= chunk.published <= end]
    assert 0 < len(inside) < len(chunks)
    query = "ceasefire memorandum"
    hits = searcher.search(query, len(chunks), filters=filters, mode="dense")
    # With a filter, dense search is exact over exactly the allowed rows: each ranked by the
    # better of its own cosine and its best sentence's.
    vector = fake_embedder.encode([query], kind="query")[0]
    scores = np.maximum(
        np.asarray(searcher.snapshot.vectors)[inside] @ vector,
        brute_force_best_sentence(searcher, vector)[inside],
    )
    expected = [chunks[inside[i]].chunk_id for i in np.argsort(-scores, kind="stable")]
    assert [hit.chunk.chunk_id for hit in hits] == expected
    for mode in ("hybrid", "keyword"):
        found = searcher.search(query, 50, filters=filters, mode=mode)
        assert found and all(start <= hit.chunk.published <= end for hit in found)


def test_source_filter_ignores_case_and_excludes_the_rest(searcher: Searcher) -> None:
    reuters = [c.chunk_id for c in searcher.snapshot.chunks if c.source == "Reuters"]
    assert reuters
    filters = SearchFilters(sources=frozenset({"reuters"}))
    hits = searcher.search("talks", 100, filters=filters, mode="dense")
    assert sorted(hit.chunk.chunk_id for hit in hits) == sorted(reuters)
    medinsky = searcher.search("Medinsky", 20, filters=filters)
    assert all(hit.chunk.source == "Reuters" for hit in medinsky)
    assert SearchFilters().active is False


def test_filters_that_exclude_everything_return_nothing(searcher: Searcher) -> None:
    far_future = SearchFilters(published_from=date(2030, 1, 1))
    assert searcher.search("Medinsky", 5, filters=far_future) == []
    nobody = SearchFilters(sources=frozenset({"Nonexistent Gazette"}))
    assert searcher.search("Medinsky", 5, filters=nobody, mode="keyword") == []


@pytest.mark.parametrize("make_folder", [False, True], ids=["no-folder", "empty-folder"])
def test_missing_index_is_a_clear_error(tmp_path: Path, make_folder: bool) -> None:
    folder = tmp_path / "index"
    if make_folder:
        folder.mkdir()
    with pytest.raises(IndexStoreError) as raised:
        Searcher.open(folder, FakeEmbedder())
    message = str(raised.value)
    assert str(folder) in message and "negobot ingest" in message and "\n" not in message


def test_newest_published_date(searcher: Searcher, sample_articles: list[Article]) -> None:
    assert searcher.newest_published == max(article.published for article in sample_articles)


def test_index_of_articles_without_chunks_searches_empty(tmp_path: Path) -> None:
    blank = Article(title="Blank", text=" ", published=date(2025, 1, 1), source="Wire", id="b")
    report = ingest_articles([blank], index_dir=tmp_path, embedder=FakeEmbedder())
    assert report.total_chunks == 0
    assert Searcher.open(tmp_path, FakeEmbedder()).search("anything", 5) == []


@pytest.mark.model
def test_real_model_finds_the_expected_articles(
    real_embedder: Embedder, sample_articles: list[Article], tmp_path: Path
) -> None:
    ingest_articles(sample_articles, index_dir=tmp_path, embedder=real_embedder)
    searcher = Searcher.open(tmp_path, real_embedder)
    questions = [
        json.loads(line)
        for line in (REPO_ROOT / "bench" / "questions" / "ordinary-01.jsonl")
        .read_text()
        .splitlines()
    ]
    english = [q for q in questions if q["in_scope"] and q["language"] == "en"][:12]
    found = [
        q["expected_article"] in {hit.chunk.article_id for hit in searcher.search(q["question"], 5)}
        for q in english
    ]
    assert len(english) == 12
    assert sum(found) >= 10, [q["id"] for q, ok in zip(english, found, strict=True) if not ok]


def test_english_words_match_across_inflections() -> None:
    index = KeywordIndex.build(["The sides negotiated for an hour", "Prisoners were exchanged"])
    assert [row for row, _ in index.top("negotiations", 2)] == [0]
    assert [row for row, _ in index.top("prisoner exchange", 2)] == [1]


def test_reading_posting_lists_gives_the_same_ranking_as_scoring_every_row() -> None:
    rng = np.random.default_rng(7)
    vocabulary = [f"word{n}" for n in range(300)] + ["medinsky", "umerov"]
    texts = [" ".join(rng.choice(vocabulary, size=12)) for _ in range(2000)]
    index = KeywordIndex.build(texts)
    for query in ("medinsky", "umerov word3", "word10 word11 word12", "medinsky umerov"):
        token_ids = index.retriever.get_tokens_ids(tokenize(query))
        every_row = index.retriever.get_scores_from_ids(token_ids)
        expected = sorted(
            ((int(r), float(every_row[r])) for r in np.flatnonzero(every_row > 0)),
            key=lambda pair: (-pair[1], pair[0]),
        )[:20]
        got = index.top(query, 20)
        # Same scores, and each row scored as when every row is scored (float sums may order
        # exact ties differently in the last digit, so rows are compared through their scores).
        assert np.allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5)
        assert all(np.isclose(score, every_row[row], rtol=1e-5) for row, score in got)


def test_an_unstemmed_index_matches_only_whole_words() -> None:
    texts = ["Cats drink milk.", "Dogs are drinking water.", "Birds sing."]
    stemmed = KeywordIndex.build(texts)
    unstemmed = KeywordIndex.build(texts, stem=False)

    assert {row for row, _ in stemmed.top("drinks", 10)} == {0, 1}
    assert unstemmed.top("drinks", 10) == []
    assert [row for row, _ in unstemmed.top("drinking", 10)] == [1]
    allowed = np.array([True, False, True])
    assert unstemmed.top("drinking", 10, allowed) == []


def test_passage_in_another_alphabet_gets_its_keyword_vote_from_its_dense_rank(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    articles = [
        Article(
            title=title,
            text=text,
            published=date(2025, 5, 16),
            source="Reuters",
            url=f"https://example.org/{key}",
            language=language,
            id=key,
        )
        for key, title, text, language in [
            ("en", "Exchange", "Each side freed 390 prisoners on the first day.", "en"),
            ("uk", "Переговори", "Переговори у Стамбулі тривали дві години.", "uk"),
        ]
    ]
    ingest_articles(articles, index_dir=tmp_path / "index", embedder=fake_embedder)
    searcher = Searcher.open(tmp_path / "index", fake_embedder)
    rows = {chunk.article_id: row for row, chunk in enumerate(searcher.snapshot.chunks)}
    english, ukrainian = rows["en"], rows["uk"]
    vector = np.zeros(64, dtype=np.float32)
    # The English passage is the better dense match; only the Ukrainian one can match the words.
    dense = [(english, 0.9), (ukrainian, 0.8)]
    keyword = [(ukrainian, 2.0)]
    plain = searcher.fuse(vector, dense, keyword, k=2)
    assert plain[0].chunk.article_id == "uk"
    fair = searcher.fuse(vector, dense, keyword, k=2, query_writing="uk")
    assert [hit.chunk.article_id for hit in fair] == ["en", "uk"]
    assert fair[0].score == pytest.approx(2 / (SEARCH_TUNING.rrf_k + 1))
    assert fair[0].keyword_rank is None, "the reported keyword rank stays the real one"
    # A Latin-script query reads the English passage itself: nothing is imputed for it.
    latin = searcher.fuse(vector, dense, keyword, k=2, query_writing="latin")
    assert latin[0].chunk.article_id == "uk"


@pytest.mark.parametrize(
    ("text", "script"),
    [("Medinsky led the talks", "latin"), ("Мединський очолив", "cyrillic"), ("2025 — 19", None)],
)
def test_dominant_script(text: str, script: str | None) -> None:
    assert dominant_script(text) == script


@pytest.mark.parametrize(
    ("text", "language", "writing"),
    [
        ("Who led the talks?", None, "latin"),
        ("Хто очолював делегацію України на переговорах?", None, "uk"),
        ("Кто возглавлял делегацию России на переговорах?", None, "ru"),
        ("Мединский", "ru", "ru"),
        ("Преговорите продължиха", "bg", "cyrillic"),
        ("12 — 19", None, None),
    ],
)
def test_keyword_writing(text: str, language: str | None, writing: str | None) -> None:
    assert keyword_writing(text, language) == writing


@pytest.mark.parametrize(
    ("language", "writing"),
    [
        ("en", "latin"),
        ("de", "latin"),
        ("uk", "uk"),
        ("ru", "ru"),
        ("bg", "cyrillic"),
        ("zh", None),
    ],
)
def test_a_chunks_writing_comes_from_its_recorded_language(
    language: str, writing: str | None
) -> None:
    from index.normalize import language_writing

    assert language_writing(language) == writing
