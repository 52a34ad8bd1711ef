"""Download pages and feeds over HTTP with limits on time, size and content type."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

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

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


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
            raise _Transient(f"network error: {one_line(error)}") from error


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


def one_line(error: object) -> str:
    """An error's message on one line (its type's name when it has none)."""
    text = " ".join(str(error).split())
    return text or type(error).__name__


def decode_html(download: Download) -> str:
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
