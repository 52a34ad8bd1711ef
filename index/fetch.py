"""Fetch articles from the web: RSS/Atom feeds and article pages, each failure one clear problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from index.documents import Article, LoadProblem
from index.downloads import HTML_TYPES, Fetcher, FetchError, FetchOptions, decode_html, is_url
from index.feeds import load_feed, looks_like_feed
from index.html_pages import article_from_html
from index.loaders import load_articles

__all__ = ["FetchError", "FetchOptions", "Fetcher", "is_url", "load_sources", "load_url"]

LoadResult = Article | LoadProblem


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
    if looks_like_feed(download):
        yield from load_feed(url, download, fetcher, skip_url or (lambda _url: False))
    elif download.media_type in HTML_TYPES or not download.media_type:
        yield article_from_html(decode_html(download), origin=url, url=download.url)
    else:
        yield LoadProblem(url, f"{download.media_type} response is neither HTML nor a feed")
