"""Compose an answer's text from chosen sentences: order them, cite their sources, or decline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import i18n
from bot.answer_types import Answer, Citation
from bot.reading import Finding
from bot.sentences import Candidate
from index.documents import Chunk, SearchHit


def newest_first(chosen: list[Candidate], language: str) -> None:
    """Sort sentences newest first and date the older ones, so none reads as current."""
    chosen.sort(key=lambda c: c.chunk.published, reverse=True)
    newest = chosen[0].chunk.published
    for candidate in chosen:
        if candidate.chunk.published < newest and not candidate.note:
            when = i18n.format_date(candidate.chunk.published, language)
            candidate.note = i18n.text(language, "reported_on", date=when)


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


def no_answer_text(language: str, oldest: date | None = None, newest: date | None = None) -> str:
    """Say the library does not answer; name the dates it covers when both are given."""
    text = i18n.text(language, "no_answer")
    if oldest and newest:
        span = i18n.text(
            language,
            "coverage",
            first=i18n.format_date(oldest, language),
            last=i18n.format_date(newest, language),
        )
        text = f"{text} {span}"
    return text


def not_in_reports_text(language: str, closest: Chunk) -> str:
    """Say the reports do not give the detail asked for, naming the closest one."""
    return i18n.text(
        language,
        "not_in_reports",
        title=closest.title,
        source=closest.source,
        date=i18n.format_date(closest.published, language),
    )


def answered_first(finding: Finding, chosen: Sequence[Candidate], support: int) -> list[Candidate]:
    """Lead with the sentence that answers, then up to `support` other chosen sentences."""
    lead = Candidate(text=finding.sentence, chunk=finding.hit.chunk, score=finding.margin)
    others = [
        candidate
        for candidate in chosen
        if candidate.text not in finding.sentence and finding.sentence not in candidate.text
    ]
    return [lead, *others[:support]]


def declined(
    question: str,
    language: str,
    text: str,
    retrieved: list[dict[str, object]],
    margin: float | None,
    *,
    reason: str,
    mode: str = "extractive",
) -> Answer:
    """Return an abstaining answer that keeps what was retrieved, for the review desk."""
    return Answer(
        question=question,
        text=text,
        language=language,
        abstained=True,
        retrieved=retrieved,
        scope_margin=margin,
        mode=mode,
        abstain_reason=reason,
    )


def retrieved_row(hit: SearchHit, fused_rank: int) -> dict[str, object]:
    """Describe a retrieved passage for the answer log."""
    chunk = hit.chunk
    return {
        "chunk_id": chunk.chunk_id,
        "article_id": chunk.article_id,
        "score": round(hit.score, 6),
        "cosine": round(hit.dense_score or 0.0, 4),
        # Where the passage stood in each search and in the fused list, for the review desk.
        "dense_rank": hit.dense_rank,
        "keyword_rank": hit.keyword_rank,
        "fused_rank": fused_rank,
        "quoted": False,
        "title": chunk.title,
        "source": chunk.source,
        "published": chunk.published.isoformat(),
        "url": chunk.url,
        "text": chunk.text,
    }


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
