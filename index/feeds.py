"""Read an RSS or Atom feed: one article per entry, from its own full text or its page."""

from __future__ import annotations

import calendar
import html as html_escape
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from index.documents import Article, LoadProblem
from index.downloads import (
    FEED_TYPES,
    HTML_TYPES,
    Download,
    Fetcher,
    FetchError,
    decode_html,
    one_line,
)
from index.html_pages import article_from_html

log = logging.getLogger(__name__)

LoadResult = Article | LoadProblem

# A feed's own full text counts as the article only when it is long enough to be more than a teaser.
MIN_ENTRY_CONTENT_WORDS = 120
_FEED_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S
)
_TAG = re.compile(r"<[^>]+>")


def looks_like_feed(download: Download) -> bool:
    """Return whether a download is a feed: by its type, or by sniffing a mislabelled body."""
    if download.media_type in HTML_TYPES:
        return bool(_FEED_SNIFF.match(download.body[:2048]))
    return (
        download.media_type in FEED_TYPES
        or download.media_type.endswith("+xml")
        or bool(_FEED_SNIFF.match(download.body[:2048]))
    )


def load_feed(
    url: str, download: Download, fetcher: Fetcher, skip_url: Callable[[str], bool]
) -> Iterator[LoadResult]:
    """Yield an article or a problem for every entry of a downloaded feed not skipped."""
    import feedparser  # only paid for when a feed is actually read

    content_type = download.media_type or "application/xml"
    if download.charset:
        content_type += f"; charset={download.charset}"
    parsed = feedparser.parse(download.body, response_headers={"content-type": content_type})
    entries = list(parsed.entries)
    if not entries:
        if parsed.bozo:
            reason = one_line(parsed.get("bozo_exception") or "cannot parse")
            yield LoadProblem(url, f"malformed feed: {reason}")
        elif not parsed.get("version"):
            yield LoadProblem(url, "not an RSS or Atom feed")
        else:
            log.info("feed %s lists no entries", url)
        return
    if parsed.bozo:
        log.info("feed %s is malformed but still lists %d entries", url, len(entries))
    feed_title = " ".join(str(parsed.feed.get("title") or "").split())
    outlet = feed_title or urlsplit(download.url).hostname or url
    for number, entry in enumerate(entries, start=1):
        link = str(entry.get("link") or "").strip()
        if link and skip_url(link):
            continue
        yield _load_entry(url, number, entry, link, outlet, fetcher)


def _load_entry(
    feed_url: str, number: int, entry: Any, link: str, outlet: str, fetcher: Fetcher
) -> LoadResult:
    title = " ".join(str(entry.get("title") or "").split())
    fallback = {"title": title, "published": _entry_date(entry), "source": outlet}
    full_text = _entry_full_text(entry)
    origin = link or f"{feed_url} (entry {number})"
    if full_text is not None:
        page = f"<html><head><title>{html_escape.escape(title)}</title></head>"
        page += f"<body><article>{full_text}</article></body></html>"
        result = article_from_html(page, origin=origin, url=link, fallback=fallback)
        if isinstance(result, Article) or not link:
            return result
    if not link:
        return LoadProblem(origin, "feed entry has neither a link nor its full text")
    try:
        download = fetcher.download(link)
    except FetchError as error:
        return LoadProblem(link, str(error))
    if download.media_type and download.media_type not in HTML_TYPES:
        return LoadProblem(link, f"entry link is {download.media_type}, not an HTML page")
    return article_from_html(decode_html(download), origin=link, url=link, fallback=fallback)


def _entry_full_text(entry: Any) -> str | None:
    """Return the entry's own HTML when it carries the whole article, not just a teaser."""
    candidates = [part.get("value", "") for part in entry.get("content") or []]
    candidates.append(entry.get("summary") or "")
    best = max(candidates, key=lambda text: len(_TAG.sub(" ", text).split()), default="")
    if len(_TAG.sub(" ", best).split()) >= MIN_ENTRY_CONTENT_WORDS:
        return best
    return None


def _entry_date(entry: Any) -> date | None:
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(field)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).date()
    return None
