"""Chunking: whole sentences, the model's token window (title included), overlap and metadata."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from index.chunking import ChunkingSettings, chunk_article, embedding_text, split_sentences
from index.documents import Article, Chunk
from index.embedders.base import Embedder
from tests.support.embedders import FakeEmbedder

WORDS = FakeEmbedder().count_tokens  # one token per word: budgets are easy to reason about


def article_of(sentences: list[str], title: str = "Talks in Istanbul", **fields: str) -> Article:
    return Article(
        title=title,
        text=" ".join(sentences),
        published=date(2025, 5, 16),
        source="Reuters",
        url="https://example.org/istanbul",
        language="en",
        **fields,
    )


def numbered_sentences(count: int, words: int = 6) -> list[str]:
    """Distinct sentences of exactly `words` words each."""
    filler = " ".join(["word"] * (words - 3))
    return [f"Sentence number{index} says {filler}." for index in range(count)]


def chunk(article: Article, max_tokens: int, overlap: int = 1, window: int = 256) -> list[Chunk]:
    return chunk_article(
        article,
        article_id="a1",
        settings=ChunkingSettings(max_tokens=max_tokens, overlap_sentences=overlap),
        count_tokens=WORDS,
        window_tokens=window,
    )


def sentence_runs(chunks: list[Chunk], sentences: list[str]) -> list[list[int]]:
    """Map each chunk back to the indices of the consecutive whole sentences it consists of."""
    runs = []
    for piece in chunks:
        parts = split_sentences(piece.text)
        first = sentences.index(parts[0])
        assert parts == sentences[first : first + len(parts)], piece.text
        runs.append(list(range(first, first + len(parts))))
    return runs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Witkoff flew to the U.S. Capitol on Monday. Then he met Gen. Kellogg.",
            ["Mr. Witkoff flew to the U.S. Capitol on Monday.", "Then he met Gen. Kellogg."],
        ),
        (
            "Dr. Smith and Mrs. Jones spoke to the U.N. Security Council. It met in Feb. 2025.",
            [
                "Dr. Smith and Mrs. Jones spoke to the U.N. Security Council.",
                "It met in Feb. 2025.",
            ],
        ),
        (
            "Vladimir V. Putin spoke. Donald J. Trump listened.",
            ["Vladimir V. Putin spoke.", "Donald J. Trump listened."],
        ),
        (
            "The truce ran from 6 p.m. Moscow time on Saturday. It ended at 6 a.m. Kyiv time.",
            [
                "The truce ran from 6 p.m. Moscow time on Saturday.",
                "It ended at 6 a.m. Kyiv time.",
            ],
        ),
        (
            "Переговори відбулися в Стамбулі. Делегації обмінялися полоненими! Чи буде третій "
            "раунд? Так.",
            [
                "Переговори відбулися в Стамбулі.",
                "Делегації обмінялися полоненими!",
                "Чи буде третій раунд?",
                "Так.",
            ],
        ),
        (
            "Встреча прошла в Женеве. «Стороны договорились», — сказал Ушаков.",
            ["Встреча прошла в Женеве.", "«Стороны договорились», — сказал Ушаков."],
        ),
        (
            "Виступ у Київському університеті ім. Шевченка тривав годину. Потім була пауза.",
            [
                "Виступ у Київському університеті ім. Шевченка тривав годину.",
                "Потім була пауза.",
            ],
        ),
        (
            "First paragraph without a full stop\n\nsecond paragraph.",
            ["First paragraph without a full stop", "second paragraph."],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_chunks_are_runs_of_whole_sentences_within_budget() -> None:
    sentences = numbered_sentences(40)
    chunks = chunk(article_of(sentences), max_tokens=20)
    runs = sentence_runs(chunks, sentences)
    assert all(WORDS(piece.text) <= 20 for piece in chunks)
    # Every sentence lands in some chunk, in order.
    covered = sorted({index for run in runs for index in run})
    assert covered == list(range(len(sentences)))
    assert [run[0] for run in runs] == sorted(run[0] for run in runs)


def test_overlap_carries_the_last_sentence() -> None:
    sentences = numbered_sentences(30)
    runs = sentence_runs(chunk(article_of(sentences), max_tokens=20, overlap=1), sentences)
    assert len(runs) > 3
    for previous, following in itertools.pairwise(runs):
        assert following[0] == previous[-1]
        assert len(following) > 1  # the carried sentence never forms a chunk on its own


def test_no_overlap_repeats_nothing() -> None:
    sentences = numbered_sentences(30)
    runs = sentence_runs(chunk(article_of(sentences), max_tokens=20, overlap=0), sentences)
    flat = [index for run in runs for index in run]
    assert flat == list(range(len(sentences)))


def test_only_an_oversized_sentence_is_cut_mid_sentence() -> None:
    long_sentence = " ".join(f"w{index}" for index in range(50)) + "."
    sentences = ["Short opening sentence here.", long_sentence, "Short closing sentence here."]
    chunks = chunk(article_of(sentences), max_tokens=20, overlap=0)
    assert all(WORDS(piece.text) <= 20 for piece in chunks)
    # The long sentence is cut into word pieces that rebuild it exactly; the rest stay whole.
    texts = [piece.text for piece in chunks]
    assert texts[0].startswith("Short opening sentence here.")
    assert texts[-1].endswith("Short closing sentence here.")
    rebuilt = " ".join(texts)
    assert rebuilt == " ".join(sentences)
    cut = [text for text in texts if not text.endswith(".")]
    assert cut, "the 50-word sentence must have been cut"
    assert all(text.split()[-1].startswith("w") for text in cut)


def test_title_shares_the_window() -> None:
    title = " ".join(["Title"] * 40)
    sentences = numbered_sentences(30)
    chunks = chunk(article_of(sentences, title=title), max_tokens=200, overlap=1, window=80)
    assert len(chunks) > 1
    for piece in chunks:
        assert WORDS(piece.title) + WORDS(piece.text) + 2 <= 80
        assert WORDS(embedding_text(piece)) + 2 <= 80


def test_every_chunk_keeps_the_article_metadata() -> None:
    article = article_of(numbered_sentences(25), id="ignored-by-chunker")
    chunks = chunk(article, max_tokens=20)
    assert [piece.position for piece in chunks] == list(range(len(chunks)))
    for piece in chunks:
        assert piece.article_id == "a1"
        assert piece.chunk_id == f"a1#{piece.position}"
        assert (piece.title, piece.published, piece.source, piece.url, piece.language) == (
            article.title,
            article.published,
            article.source,
            article.url,
            article.language,
        )
        assert Chunk.from_json(piece.to_json()) == piece


def test_cyrillic_article_is_chunked_at_sentence_ends() -> None:
    sentences = [f"Делегації провели зустріч номер {index} у Стамбулі." for index in range(30)]
    chunks = chunk(article_of(sentences, title="Переговори"), max_tokens=20)
    assert len(chunks) > 2
    sentence_runs(chunks, sentences)


@pytest.mark.model
def test_real_articles_fit_the_model_window_with_their_title(
    real_embedder: Embedder, sample_articles: list[Article]
) -> None:
    tokenizer = real_embedder.model.tokenizer  # type: ignore[attr-defined]
    window = real_embedder.max_tokens
    assert window == 256
    settings = ChunkingSettings()
    assert sample_articles, "the sample library has articles"
    seen = 0
    for article in sample_articles:
        chunks = chunk_article(
            article,
            article_id=article.key,
            settings=settings,
            count_tokens=real_embedder.count_tokens,
            window_tokens=window,
        )
        assert chunks, article.title
        sentences = split_sentences(article.text)
        for piece in chunks:
            title_tokens = real_embedder.count_tokens(piece.title)
            text_tokens = real_embedder.count_tokens(piece.text)
            assert title_tokens + text_tokens + 2 <= window, piece.chunk_id
            assert text_tokens <= settings.max_tokens
            # What the model actually receives, with [CLS] and [SEP], is never truncated.
            assert len(tokenizer(embedding_text(piece))["input_ids"]) <= window
            parts = split_sentences(piece.text)
            first = sentences.index(parts[0])
            assert parts == sentences[first : first + len(parts)], piece.chunk_id
            seen += 1
    assert seen >= len(sample_articles)


@pytest.mark.model
def test_long_title_shrinks_the_real_budget(real_embedder: Embedder) -> None:
    title = "Negotiators from Kyiv, Moscow, Washington and Ankara " * 12
    sentences = [
        f"On day {index} the delegations exchanged draft memorandums in Istanbul."
        for index in range(60)
    ]
    article = article_of(sentences, title=title.strip())
    window = real_embedder.max_tokens
    chunks = chunk_article(
        article,
        article_id="long-title",
        settings=ChunkingSettings(max_tokens=200),
        count_tokens=real_embedder.count_tokens,
        window_tokens=window,
    )
    tokenizer = real_embedder.model.tokenizer  # type: ignore[attr-defined]
    assert real_embedder.count_tokens(article.title) > 100
    assert chunks, "a long title still leaves room for text"
    for piece in chunks:
        assert len(tokenizer(embedding_text(piece))["input_ids"]) <= window
