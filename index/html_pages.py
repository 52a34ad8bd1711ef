"""Extract the article in an HTML page: its text, title, date and outlet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from index.article_fields import build_article
from index.documents import Article, LoadProblem

# With no real article, trafilatura falls back to stray menu text such as "Home".
_MIN_HTML_WORDS = 5
# The host part of a URL as trafilatura names a site that declares no name.
_ADDRESS_HOST = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")


def article_from_html(
    html: str, *, origin: str, url: str = "", fallback: Mapping[str, Any] | None = None
) -> Article | LoadProblem:
    """Extract the article in an HTML page read from `origin` (a URL or a file name).

    `url` is where the page was fetched (used when it names no canonical address);
    `fallback` fields (title, published, source) fill in what the page itself lacks.
    """
    return load_html(origin, html, url=url, fallback=fallback)


def load_html(
    path: Path | str, html: str, *, url: str = "", fallback: Mapping[str, Any] | None = None
) -> Article | LoadProblem:
    """Extract the article of an HTML page with trafilatura; `path` names it in problems."""
    import trafilatura  # heavy import, only paid when HTML is actually loaded

    try:
        extracted = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception as error:  # a parser crash on one page must not stop the whole load
        return LoadProblem(str(path), f"cannot parse HTML: {type(error).__name__}: {error}")
    if extracted is None:
        return LoadProblem(str(path), "no article text found in HTML")
    found = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = found.get("text") or ""
    title = found.get("title") or ""
    if len(body.split()) < _MIN_HTML_WORDS:
        return LoadProblem(str(path), "no article text found in HTML")
    # trafilatura separates paragraphs with one newline; the library uses blank lines.
    paragraphs = [p for p in body.split("\n") if p.strip()]
    fields = {
        "title": title,
        "published": found.get("date"),
        "source": found.get("sitename") or found.get("hostname"),
        "url": found.get("url") or url,
    }
    if fallback and fallback.get("source") and _names_only_the_address(fields):
        fields["source"] = None  # an outlet name the caller knows beats a bare host name
    for name, value in (fallback or {}).items():
        if not fields.get(name):
            fields[name] = value
    return build_article(path, fields, "\n\n".join(paragraphs), None)


def _names_only_the_address(fields: dict[str, Any]) -> bool:
    """Return whether the page's outlet name is just its host (trafilatura's own fallback)."""
    match = _ADDRESS_HOST.match(fields.get("url") or "")
    return match is not None and fields.get("source") == match.group(1)
