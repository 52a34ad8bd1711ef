"""Cite: number the quoted articles, mark each sentence with its source, and date the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot import i18n
from bot.answers.answer_types import Answer, Citation
from bot.answers.composing import Composition
from bot.answers.deciding import Coverage
from bot.answers.query import Query
from bot.answers.retrieval import Retrieval
from bot.answers.sentences import Candidate
from index.documents import Chunk, SearchHit


@dataclass(frozen=True)
class Cited:
    """An answer's body with [n] markers, the sources they number, and the newest one's date."""

    body: str
    sources: list[Citation]
    as_of: date
    mode: str  # extractive, reader, or generative once a model rewrote the body

    def rewritten(self, body: str) -> Cited:
        """The same sources under a body a generative model wrote."""
        return replace(self, body=body, mode="generative")


def cite(composition: Composition, retrieval: Retrieval, query: Query) -> Cited:
    """Mark each sentence with its article's [n]; a status answer gives one sentence a line."""
    lines, sources = cited_lines(composition.sentences, retrieval.passages)
    body = "\n".join(lines) if query.status else " ".join(lines)
    as_of = max(citation.published for citation in sources)
    return Cited(body, sources, as_of, composition.mode)


def answered(
    query: Query,
    retrieval: Retrieval,
    coverage: Coverage,
    composition: Composition,
    cited: Cited,
) -> Answer:
    """Return the answer: the cited body ("as of" its newest source for a status question)."""
    body = as_of_heading(cited.body, cited.as_of, query.language) if query.status else cited.body
    rows = retrieval.rows()
    mark_quoted(rows, composition.sentences)
    finding = composition.finding
    return Answer(
        question=query.text,
        text=body,
        language=query.language,
        abstained=False,
        as_of=cited.as_of if query.status else None,
        sources=cited.sources,
        mode=cited.mode,
        retrieved=rows,
        scope_margin=coverage.margin,
        highlight=finding.span if finding is not None else None,
        reader_margin=finding.margin if finding is not None else None,
    )


def cited_lines(
    chosen: Sequence[Candidate], hits: list[SearchHit]
) -> tuple[list[str], list[Citation]]:
    """Return each sentence with its source's [n], and the sources numbered by first use."""
    citations: dict[str, Citation] = {}
    lines = []
    for candidate in chosen:
        chunk = candidate.chunk
        if chunk.article_id not in citations:
            citations[chunk.article_id] = citation(len(citations) + 1, chunk, hits)
        number = citations[chunk.article_id].number
        note = f" ({candidate.note})" if candidate.note else ""
        lines.append(f"{candidate.text}{note} [{number}]")
    return lines, list(citations.values())


def citation(number: int, chunk: Chunk, hits: list[SearchHit]) -> Citation:
    """Cite a passage's article, scored by the best cosine of its passages among the hits."""
    score = max(
        (hit.dense_score or 0.0 for hit in hits if hit.chunk.article_id == chunk.article_id),
        default=0.0,
    )
    return Citation(
        number=number,
        title=chunk.title,
        source=chunk.source,
        published=chunk.published,
        url=chunk.url,
        score=score,
        text=chunk.text,
        article_id=chunk.article_id,
        chunk_id=chunk.chunk_id,
    )


def as_of_heading(body: str, as_of: date, language: str) -> str:
    """Put "as of" once, in the asker's date format, above an answer about the current state."""
    return f"{i18n.text(language, 'as_of', date=i18n.format_date(as_of, language))}\n{body}"


def mark_quoted(retrieved: list[dict[str, object]], chosen: Sequence[Candidate]) -> None:
    """Flag the retrieved passages the answer quotes from."""
    quoted = {candidate.chunk.chunk_id for candidate in chosen}
    for row in retrieved:
        row["quoted"] = row["chunk_id"] in quoted


def render_plain(answer: Answer) -> str:
    """Render an answer for a terminal: the body, then the numbered sources."""
    if not answer.sources:
        return answer.text
    heading = i18n.text(answer.language, "sources")
    lines = [answer.text, "", f"{heading}:"]
    for source in answer.sources:
        when = i18n.format_date(source.published, answer.language)
        link = f" {source.url}" if source.url else ""
        lines.append(f"[{source.number}] {source.title} — {source.source}, {when}{link}")
    return "\n".join(lines)
