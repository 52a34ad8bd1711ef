"""Fetch articles from the web: RSS/Atom feeds and article pages, each failure one clear problem."""

from __future__ import annotations

import calendar
import html as html_escape
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from index.documents import Article, LoadProblem
from index.loaders import article_from_html, load_articles

log = logging.getLogger(__name__)

LoadResult = Article | LoadProblem

USER_AGENT = "negobot/0.1 (news library refresher; +https://github.com/negobot/negobot)"
DEFAULT_TIMEOUT_SECONDS = 15.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
RETRY_PAUSE_SECONDS = 1.0

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+xml",
    }
)
# A feed's own full text counts as the article only when it is long enough to be more than a teaser.
MIN_ENTRY_CONTENT_WORDS = 120

_FEED_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def is_url(item: str) -> bool:
    """Return whether a source is an http(s) address rather than a file path."""
    return urlsplit(item.strip()).scheme.lower() in {"http", "https"}


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how patiently to fetch."""

    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    retries: int = 1  # one quick retry for a transient failure; later retries are the scheduler's
    retry_pause_seconds: float = RETRY_PAUSE_SECONDS
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Download:
    """A response body that passed the status, size and content-type checks."""

    url: str  # after redirects
    media_type: str
    charset: str | None
    body: bytes


class FetchError(Exception):
    """Why one URL could not be fetched, as a one-line reason."""


class _Transient(FetchError):
    """A failure worth one quick retry (network trouble, a timeout, a 5xx)."""


class Fetcher:
    """Download pages and feeds with limits on time, size and content type."""

    def __init__(
        self, options: FetchOptions | None = None, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.options = options or FetchOptions()
        self._client = httpx.Client(
            headers={"User-Agent": self.options.user_agent},
            timeout=self.options.timeout_seconds,
            follow_redirects=True,
            max_redirects=5,
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def download(self, url: str) -> Download:
        """Return the body at `url`, or raise FetchError with a one-line reason."""
        attempts = 1 + max(self.options.retries, 0)
        for attempt in range(1, attempts + 1):
            try:
                return self._download_once(url)
            except _Transient as error:
                if attempt == attempts:
                    raise FetchError(str(error)) from error
                log.debug("retrying %s after: %s", url, error)
                time.sleep(self.options.retry_pause_seconds)
        raise AssertionError("unreachable")

    def _download_once(self, url: str) -> Download:
        limit = self.options.max_bytes
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                    if response.status_code >= 500 or response.status_code == 429:
                        raise _Transient(reason)
                    raise FetchError(reason)
                media_type, charset = _content_type(response.headers.get("content-type", ""))
                if media_type and not _acceptable(media_type):
                    raise FetchError(
                        f"unsupported content type {media_type} "
                        "(expected an HTML page or an RSS/Atom feed)"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(_too_large(int(declared), limit))
                body = bytearray()
                for piece in response.iter_bytes():
                    body.extend(piece)
                    if len(body) > limit:
                        raise FetchError(_too_large(None, limit))
                return Download(str(response.url), media_type, charset, bytes(body))
        except httpx.TimeoutException as error:
            raise _Transient(
                f"timed out after {self.options.timeout_seconds:g}s ({type(error).__name__})"
            ) from error
        except httpx.TooManyRedirects as error:
            raise FetchError("too many redirects") from error
        except httpx.InvalidURL as error:
            raise FetchError(f"invalid URL: {error}") from error
        except httpx.UnsupportedProtocol as error:
            raise FetchError(f"unsupported URL: {error}") from error
        except httpx.TransportError as error:
            raise _Transient(f"network error: {_one_line(error)}") from error


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _acceptable(media_type: str) -> bool:
    # text/plain: some servers send feeds that way; the body is sniffed before use.
    return (
        media_type in HTML_TYPES
        or media_type in FEED_TYPES
        or media_type == "text/plain"
        or media_type.endswith("+xml")
    )


def _too_large(size: int | None, limit: int) -> str:
    limit_mb = limit / (1024 * 1024)
    if size is None:
        return f"response larger than the {limit_mb:g} MB limit"
    return f"response of {size / (1024 * 1024):.1f} MB is over the {limit_mb:g} MB limit"


def _one_line(error: object) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _looks_like_feed(download: Download) -> bool:
    if download.media_type in HTML_TYPES:
        return bool(_FEED_SNIFF.match(download.body[:2048]))
    return (
        download.media_type in FEED_TYPES
        or download.media_type.endswith("+xml")
        or bool(_FEED_SNIFF.match(download.body[:2048]))
    )


def _decode_html(download: Download) -> str:
    """Decode a page with its declared charset: the HTTP header's, else its <meta> tag's."""
    candidates = [download.charset]
    match = _META_CHARSET.search(download.body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii"))
    candidates.append("utf-8")
    for charset in candidates:
        if not charset:
            continue
        try:
            return download.body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return download.body.decode("utf-8", errors="replace")


def load_sources(
    items: Iterable[str],
    *,
    fetcher: Fetcher | None = None,
    skip_url: Callable[[str], bool] | None = None,
) -> Iterator[LoadResult]:
    """Yield articles and problems from URLs (feeds or pages) and local files or folders.

    `skip_url` says which feed entries need no fetch (already indexed, or backing off).
    """
    own_fetcher = fetcher is None
    active = fetcher or Fetcher()
    try:
        for item in items:
            if is_url(item):
                yield from load_url(item.strip(), active, skip_url=skip_url)
            else:
                yield from load_articles([item])
    finally:
        if own_fetcher:
            active.close()


def load_url(
    url: str, fetcher: Fetcher, *, skip_url: Callable[[str], bool] | None = None
) -> Iterator[LoadResult]:
    """Yield the article at an article URL, or every article a feed URL lists."""
    try:
        download = fetcher.download(url)
    except FetchError as error:
        yield LoadProblem(url, str(error))
        return
    if not download.body.strip():
        yield LoadProblem(url, "empty response")
        return
    if _looks_like_feed(download):
        yield from _load_feed(url, download, fetcher, skip_url or (lambda _url: False))
    elif download.media_type in HTML_TYPES or not download.media_type:
        yield article_from_html(_decode_html(download), origin=url, url=download.url)
    else:
        yield LoadProblem(url, f"{download.media_type} response is neither HTML nor a feed")


def _load_feed(
    url: str, download: Download, fetcher: Fetcher, skip_url: Callable[[str], bool]
) -> Iterator[LoadResult]:
    import feedparser  # only paid for when a feed is actually read

    content_type = download.media_type or "application/xml"
    if download.charset:
        content_type += f"; charset={download.charset}"
    parsed = feedparser.parse(download.body, response_headers={"content-type": content_type})
    entries = list(parsed.entries)
    if not entries:
        if parsed.bozo:
            reason = _one_line(parsed.get("bozo_exception") or "cannot parse")
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
    return article_from_html(_decode_html(download), origin=link, url=link, fallback=fallback)


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
