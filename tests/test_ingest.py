"""Incremental ingest: nothing re-embedded needlessly, changes replace, duplicates are skipped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from index.chunking import split_sentences
from index.documents import Article, LoadProblem
from index.ingest import ingest_articles
from index.search import Searcher
from index.store import CURRENT_FILE, load_snapshot
from tests.support.articles import synthetic_article
from tests.support.embedders import CountingEmbedder, FakeEmbedder


@pytest.fixture
def counting() -> CountingEmbedder:
    return CountingEmbedder()


def ingest(folder: Path, items: list[Article | LoadProblem], embedder: FakeEmbedder, **options):  # type: ignore[no-untyped-def]
    return ingest_articles(items, index_dir=folder, embedder=embedder, **options)


def generations(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def keyword_texts(folder: Path, query: str) -> list[str]:
    searcher = Searcher.open(folder, FakeEmbedder())
    return [hit.chunk.text for hit in searcher.search(query, 20, mode="keyword")]


def test_rerun_on_the_same_articles_adds_nothing(tmp_path: Path, counting, make_articles) -> None:
    folder = tmp_path / "index"
    articles = make_articles(12)
    first = ingest(folder, articles, counting)
    assert (first.added, first.unchanged, first.index_version) == (12, 0, "gen-000001")
    before = generations(folder)
    embedded = counting.calls

    again = ingest(folder, articles, counting)
    assert (again.added, again.replaced, again.unchanged) == (0, 0, 12)
    assert not again.changed and again.index_version is None
    assert again.chunks_embedded == 0 and counting.calls == embedded
    assert generations(folder) == before
    assert (again.total_articles, again.total_chunks) == (first.total_articles, first.total_chunks)
    assert "index unchanged" in again.summary()


def test_new_article_is_added_without_re_embedding_old_ones(
    tmp_path: Path, counting, make_articles
) -> None:
    folder = tmp_path / "index"
    ingest(folder, make_articles(10), counting)
    old = load_snapshot(folder)
    assert old is not None
    old_vectors = {c.chunk_id: np.asarray(old.vectors[r]) for r, c in enumerate(old.chunks)}
    counting.texts.clear()

    report = ingest(folder, make_articles(11), counting)
    assert (report.added, report.unchanged) == (1, 10)
    new_article = make_articles(1, start=10)[0]
    assert counting.texts, "the new article was embedded"
    # Its chunks (embedded under the title), then its sentences, and nothing of the old ones.
    chunk_texts = [text for text in counting.texts if text.startswith(new_article.title)]
    sentence_texts = [text for text in counting.texts if text not in chunk_texts]
    assert chunk_texts and all("Round 10 of talks" in text for text in chunk_texts)
    assert sentence_texts and all(text in new_article.text for text in sentence_texts)
    assert report.chunks_embedded == len(chunk_texts)
    assert report.sentences_embedded == len(sentence_texts)

    new = load_snapshot(folder)
    assert new is not None
    assert len(new.chunks) == len(old.chunks) + len(chunk_texts)
    for row, chunk in enumerate(new.chunks):
        if chunk.chunk_id in old_vectors:
            np.testing.assert_array_equal(new.vectors[row], old_vectors[chunk.chunk_id])
    # Stored row lists line up with the chunks and vectors.
    assert len(new.vectors) == len(new.chunks)
    assert new.articles, "the updated index holds the articles"
    for key, entry in new.articles.items():
        assert entry.rows and all(new.chunks[row].article_id == key for row in entry.rows)


def test_changed_article_replaces_its_old_chunks(tmp_path: Path, counting, make_articles) -> None:
    folder = tmp_path / "index"
    articles = make_articles(8)
    articles[3] = dataclasses.replace(articles[3], text=articles[3].text + " Zanzibarian yak.")
    ingest(folder, articles, counting)
    assert keyword_texts(folder, "Zanzibarian")
    counting.texts.clear()

    changed = dataclasses.replace(articles[3], text="Entirely rewritten: Quokkaville accord.")
    report = ingest(folder, [*articles[:3], changed, *articles[4:]], counting)
    assert (report.added, report.replaced, report.unchanged) == (0, 1, 7)
    assert counting.texts == [f"{changed.title} {changed.text}", *split_sentences(changed.text)]
    assert keyword_texts(folder, "Zanzibarian") == []
    assert keyword_texts(folder, "Quokkaville") == [changed.text]
    snapshot = load_snapshot(folder)
    assert snapshot is not None
    assert [c.text for c in snapshot.chunks if c.article_id == "round-3"] == [changed.text]
    assert len(snapshot.articles) == 8


def test_changed_article_found_by_url_when_it_has_no_id(tmp_path: Path, counting) -> None:
    folder = tmp_path / "index"
    original = synthetic_article(1, id="")
    ingest(folder, [original], counting)
    edited = dataclasses.replace(original, text=original.text + " Update: talks resumed.")
    report = ingest(folder, [edited], counting)
    assert (report.added, report.replaced) == (0, 1)
    snapshot = load_snapshot(folder)
    assert snapshot is not None and len(snapshot.articles) == 1


def test_duplicates_by_url_or_text_are_skipped_and_counted(tmp_path: Path, counting) -> None:
    folder = tmp_path / "index"
    first = synthetic_article(1)
    same_url = synthetic_article(2, url=first.url)
    same_text = synthetic_article(3, text=first.text)
    same_text_spacing = synthetic_article(4, text="  " + first.text.upper().replace(" ", "  "))
    report = ingest(folder, [first, same_url, same_text, same_text_spacing], counting)
    assert report.added == 1
    assert report.skipped["duplicate"] == 3
    assert "skipped 3 (3 duplicate)" in report.summary()

    # Across runs: a new id whose text the index already holds is a duplicate too.
    later = ingest(folder, [synthetic_article(5, text=first.text)], counting)
    assert (later.added, later.skipped["duplicate"]) == (0, 1)
    assert later.index_version is None


def test_a_homepage_url_does_not_make_articles_the_same(tmp_path: Path, counting) -> None:
    folder = tmp_path / "index"
    homepage = "https://apnews.com/"
    one = synthetic_article(1, url=homepage, id="")
    two = synthetic_article(2, url=homepage, id="")
    report = ingest(folder, [one, two], counting)
    assert (report.added, sum(report.skipped.values())) == (2, 0)
    three = synthetic_article(3, url="https://apnews.com", id="")
    later = ingest(folder, [one, two, three], counting)
    assert (later.added, later.replaced, later.unchanged) == (1, 0, 2)
    snapshot = load_snapshot(folder)
    assert snapshot is not None and len(snapshot.articles) == 3


def test_sample_library_shares_homepage_urls_yet_loads_whole(
    index_dir: Path, sample_articles: list[Article]
) -> None:
    # Several sample articles point at the same outlet homepage; none may be lost as a duplicate.
    urls = [article.url for article in sample_articles if article.url]
    assert len(set(urls)) < len(urls)
    snapshot = load_snapshot(index_dir)
    assert snapshot is not None
    assert set(snapshot.articles) == {article.key for article in sample_articles}


def test_load_problems_are_counted_and_kept(tmp_path: Path, counting) -> None:
    folder = tmp_path / "index"
    problem = LoadProblem("feed.jsonl", "bad JSON: Expecting value at column 1", 3)
    report = ingest(folder, [problem, synthetic_article(1)], counting)
    assert report.added == 1
    assert report.problems == [problem]
    assert report.skipped["bad JSON"] == 1
    assert "1 problem(s)" in report.summary()


def test_nothing_to_ingest_writes_nothing(tmp_path: Path, counting) -> None:
    folder = tmp_path / "index"
    report = ingest(folder, [LoadProblem("x.md", "empty file")], counting)
    assert (report.added, report.total_chunks, report.index_version) == (0, 0, None)
    assert not folder.exists() or not (folder / CURRENT_FILE).exists()


def test_rebuild_re_embeds_everything(tmp_path: Path, counting, make_articles) -> None:
    folder = tmp_path / "index"
    ingest(folder, make_articles(6), counting)
    embedded_once = len(counting.texts)
    report = ingest(folder, make_articles(6), counting, rebuild=True)
    assert report.added == 6
    assert len(counting.texts) == 2 * embedded_once
    assert (folder / CURRENT_FILE).read_text().strip() == "gen-000002"


def test_rebuild_may_switch_models(index_dir: Path, sample_articles: list[Article]) -> None:
    other = FakeEmbedder(dimension=32, name="fake-32")
    report = ingest_articles(sample_articles, index_dir=index_dir, embedder=other, rebuild=True)
    assert report.added == len(sample_articles)
    snapshot = load_snapshot(index_dir)
    assert snapshot is not None
    assert (snapshot.manifest["model"], snapshot.manifest["dimension"]) == ("fake-32", 32)
    assert snapshot.vectors.shape[1] == 32


def test_the_same_id_twice_in_one_run_counts_once(tmp_path: Path, counting) -> None:
    folder = tmp_path / "index"
    first = synthetic_article(1)
    second = synthetic_article(2, id=first.id)  # another text and URL, but the same id
    report = ingest(folder, [first, second], counting)
    assert (report.added, report.skipped["duplicate"]) == (1, 1)
    assert report.total_articles == 1
    assert keyword_texts(folder, "Riyadh") == [" ".join(first.text.split())]
