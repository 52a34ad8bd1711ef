"""A local web server for fetch and feed tests, and the pages and feeds it serves."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the test server answers on one path."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    declare_length: bool = True


class FeedServer:
    """A local HTTP server on 127.0.0.1 whose routes a test can change between requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll lets stop() return at once instead of after serve_forever's default 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits[self.path] += 1
                owner.user_agents.append(self.headers.get("User-Agent", ""))
                route = owner.routes.get(self.path)
                if route is None:
                    route = Route(b"<html><body>Not here</body></html>", status=404)
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    if route.declare_length:
                        self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    for start in range(0, len(route.body), 16 * 1024):
                        self.wfile.write(route.body[start : start + 16 * 1024])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout or size limit), as intended

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def article_page(
    title: str,
    topic: str,
    *,
    published: str | None = "2025-06-02",
    site: str | None = "Test Wire",
    canonical: str | None = None,
) -> bytes:
    """Return an article page with enough text for the extractor, plus menu boilerplate."""
    paragraphs = "".join(
        f"<p>Paragraph {n} reports that the delegations discussed {topic} in Istanbul, "
        f"with officials describing the exchange of views on {topic} as frank and detailed.</p>"
        for n in range(1, 5)
    )
    meta = f'<meta property="og:title" content="{title}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    if site:
        meta += f'<meta property="og:site_name" content="{site}">'
    if canonical:
        meta += f'<link rel="canonical" href="{canonical}">'
    return (
        f"<html><head><title>{title}</title>{meta}</head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>All rights reserved</footer></body></html>"
    ).encode()


def rss_feed(base: str, items: list[tuple[str, str, str]]) -> bytes:
    """Return an RSS 2.0 feed of (title, path, RFC 822 date) items."""
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        f"<pubDate>{published}</pubDate><description>Short teaser.</description></item>"
        for title, path, published in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Test Wire World</title><link>{base}/</link><description>News</description>"
        f"{entries}</channel></rss>"
    ).encode()
