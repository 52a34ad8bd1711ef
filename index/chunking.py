"""Split articles into sentence-aligned chunks that fit the embedding model's token window."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.documents import Article, Chunk

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) before whitespace and
# an opening capital, digit or quote. Kept deliberately simple: news prose, three scripts.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)\]]*\s+(?=[\"'“«(\[]?[A-ZА-ЯІЇЄҐЁ0-9])")
# Abbreviations that end in a period but rarely end a sentence in news copy.
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sen|Rep|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|"
    r"Nov|Dec|vs|etc|U\.S|U\.N|U\.K|E\.U|a\.m|p\.m|ім|т\.д|т\.п|п|м|г|ст)\.|\b[A-ZА-Я]\.)$"
)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, paragraph breaks always ending one."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        pending = ""
        for piece in _SENTENCE_END.split(paragraph):
            pending = f"{pending} {piece}".strip() if pending else piece.strip()
            if not _ABBREVIATIONS.search(pending):
                sentences.append(pending)
                pending = ""
        if pending:
            sentences.append(pending)
    return [sentence for sentence in sentences if sentence]


@dataclass(frozen=True)
class ChunkingSettings:
    """How articles are cut: the token budget per chunk and the sentences carried over.

    `sentence_vectors` also embeds every sentence of every chunk (index/sentence_vectors.py):
    better retrieval for ~5 times the vector memory. It is not part of the cut, so turning it
    on or off only adds or drops those vectors at the next ingest.
    """

    max_tokens: int = 200
    overlap_sentences: int = 1
    sentence_vectors: bool = True

    def to_json(self) -> dict[str, int]:
        return {"max_tokens": self.max_tokens, "overlap_sentences": self.overlap_sentences}


def _split_long_sentence(
    sentence: str, budget: int, count_tokens: Callable[[str], int]
) -> list[str]:
    words = sentence.split()
    pieces: list[str] = []
    current: list[str] = []
    for word in words:
        candidate = " ".join([*current, word])
        if current and count_tokens(candidate) > budget:
            pieces.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def chunk_article(
    article: Article,
    *,
    article_id: str,
    settings: ChunkingSettings,
    count_tokens: Callable[[str], int],
    window_tokens: int,
) -> list[Chunk]:
    """Cut one article into chunks; each is embedded with the title, which shares the window."""
    # Two tokens of slack for the separator between title and text.
    budget = min(settings.max_tokens, window_tokens - count_tokens(article.title) - 2)
    budget = max(budget, 16)
    sentences: list[tuple[str, int]] = []
    for sentence in split_sentences(article.text):
        tokens = count_tokens(sentence)
        if tokens <= budget:
            sentences.append((sentence, tokens))
        else:
            sentences.extend(
                (piece, count_tokens(piece))
                for piece in _split_long_sentence(sentence, budget, count_tokens)
            )

    groups: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    current_tokens = 0
    fresh_sentences = 0  # sentences in `current` not carried over from the previous chunk
    for sentence, tokens in sentences:
        if current and current_tokens + tokens > budget:
            groups.append(current)
            carried = current[-settings.overlap_sentences :] if settings.overlap_sentences else []
            while carried and sum(t for _, t in carried) + tokens > budget:
                carried = carried[1:]
            current = list(carried)
            current_tokens = sum(t for _, t in current)
            fresh_sentences = 0
        current.append((sentence, tokens))
        current_tokens += tokens
        fresh_sentences += 1
    if current and (fresh_sentences or not groups):
        groups.append(current)

    return [
        Chunk(
            article_id=article_id,
            position=position,
            text=" ".join(sentence for sentence, _ in group),
            title=article.title,
            published=article.published,
            source=article.source,
            url=article.url,
            language=article.language,
        )
        for position, group in enumerate(groups)
    ]


def embedding_text(chunk: Chunk) -> str:
    """Return the text that is embedded for a chunk: its article title, then the passage."""
    return f"{chunk.title} {chunk.text}" if chunk.title else chunk.text
