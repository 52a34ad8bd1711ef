"""Fetching feeds and pages over HTTP: good sources load, each failure is one clear problem."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from index.documents import Article, LoadProblem
from index.fetch import Fetcher, FetchOptions, is_url, load_sources
from tests.support.web import FeedServer, Route, article_page, rss_feed

# Short limits keep the failure cases fast.
TEST_OPTIONS = FetchOptions(timeout_seconds=0.5, max_bytes=64 * 1024, retry_pause_seconds=0.05)


FULL_TEXT = " ".join(
    f"Sentence {n} of the full Atom entry says the ceasefire monitors met in Geneva again."
    for n in range(1, 16)
)


def atom_feed(base: str) -> bytes:
    """Return an Atom feed with one entry carrying its whole article as content."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>'
        f"<id>{base}/atom</id><updated>2025-06-03T10:00:00Z</updated>"
        "<entry><title>Monitors meet in Geneva</title>"
        f'<link href="{base}/atom/monitors"/><id>{base}/atom/monitors</id>'
        "<updated>2025-06-03T10:00:00Z</updated>"
        f'<content type="html">&lt;p&gt;{FULL_TEXT}&lt;/p&gt;'
        f"&lt;p&gt;{FULL_TEXT}&lt;/p&gt;</content>"
        "</entry></feed>"
    ).encode()


def install_routes(server: FeedServer) -> None:
    """Serve every kind of source the fetcher must handle, good and bad."""
    base = server.base
    server.routes.update(
        {
            "/rss": Route(
                rss_feed(
                    base,
                    [
                        ("Prisoner talks", "/articles/prisoners", "Mon, 02 Jun 2025 09:00:00 GMT"),
                        ("Grain talks", "/articles/grain", "Tue, 03 Jun 2025 09:00:00 GMT"),
                        ("Gone story", "/articles/gone", "Tue, 03 Jun 2025 10:00:00 GMT"),
                    ],
                ),
                "application/rss+xml",
            ),
            "/atom": Route(atom_feed(base), "application/atom+xml"),
            "/articles/prisoners": Route(article_page("Prisoner talks", "prisoner exchanges")),
            # No date and no site name on the page: the feed entry supplies them.
            "/articles/grain": Route(
                article_page("Grain talks", "grain corridors", published=None, site=None)
            ),
            "/page": Route(article_page("Energy talks", "energy infrastructure")),
            "/broken": Route(b"oops", "text/plain", status=500),
            "/slow": Route(article_page("Slow", "delays"), delay=1.5),
            "/big": Route(b"<html><body>" + b"<p>word</p>" * 20_000 + b"</body></html>"),
            "/big-stream": Route(
                b"<html><body>" + b"<p>word</p>" * 20_000 + b"</body></html>",
                declare_length=False,
            ),
            "/report.pdf": Route(b"%PDF-1.7 not really", "application/pdf"),
            "/logo.png": Route(b"\x89PNG\r\n\x1a\n", "image/png"),
            "/bad-feed": Route(
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>Bro',
                "application/rss+xml",
            ),
            "/empty": Route(b"", "text/html"),
        }
    )


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer().start()
    install_routes(running)
    yield running
    running.stop()


def load(*sources: str) -> tuple[list[Article], list[LoadProblem]]:
    with Fetcher(TEST_OPTIONS) as fetcher:
        items = list(load_sources(sources, fetcher=fetcher))
    articles = [item for item in items if isinstance(item, Article)]
    problems = [item for item in items if isinstance(item, LoadProblem)]
    return articles, problems


def only_problem(server: FeedServer, path: str) -> LoadProblem:
    articles, problems = load(server.url(path))
    assert articles == []
    (problem,) = problems
    assert problem.path == server.url(path)
    assert "\n" not in problem.reason
    return problem


def test_is_url_tells_addresses_from_paths() -> None:
    assert is_url("https://example.org/feed.xml")
    assert is_url("HTTP://example.org")
    assert not is_url("data/articles")
    assert not is_url("/abs/page.html")
    assert not is_url("ftp://example.org/file")


def test_rss_feed_loads_each_entry_page_and_reports_a_dead_link(server: FeedServer) -> None:
    articles, problems = load(server.url("/rss"))
    by_title = {article.title: article for article in articles}
    assert set(by_title) == {"Prisoner talks", "Grain talks"}
    prisoners = by_title["Prisoner talks"]
    assert prisoners.published == date(2025, 6, 2)
    assert prisoners.source == "Test Wire"
    assert prisoners.url == server.url("/articles/prisoners")
    assert "prisoner exchanges" in prisoners.text
    assert "All rights reserved" not in prisoners.text
    grain = by_title["Grain talks"]
    assert grain.published == date(2025, 6, 3)  # from the feed's pubDate
    assert grain.source == "Test Wire World"  # the feed's title
    (problem,) = problems
    assert problem.path == server.url("/articles/gone")
    assert problem.reason == "HTTP 404 Not Found"


def test_atom_entry_with_full_text_needs_no_page_fetch(server: FeedServer) -> None:
    articles, problems = load(server.url("/atom"))
    assert problems == []
    (article,) = articles
    assert article.title == "Monitors meet in Geneva"
    assert article.published == date(2025, 6, 3)
    assert article.source == "Atom Desk"
    assert article.url == server.url("/atom/monitors")
    assert "ceasefire monitors met in Geneva" in article.text
    assert server.hits["/atom/monitors"] == 0


def test_article_url_loads_as_a_page(server: FeedServer) -> None:
    articles, problems = load(server.url("/page"))
    assert problems == []
    (article,) = articles
    assert article.title == "Energy talks"
    assert article.url == server.url("/page")
    assert article.source == "Test Wire"
    assert article.published == date(2025, 6, 2)


def test_http_errors_are_problems(server: FeedServer) -> None:
    assert only_problem(server, "/missing").reason == "HTTP 404 Not Found"
    assert only_problem(server, "/broken").reason == "HTTP 500 Internal Server Error"
    assert server.hits["/broken"] == 2  # one quick retry, no more
    assert server.hits["/missing"] == 1  # a 404 is not worth retrying


def test_slow_server_times_out(server: FeedServer) -> None:
    started = time.monotonic()
    problem = only_problem(server, "/slow")
    assert problem.reason.startswith("timed out after 0.5s")
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_oversized_responses_are_cut_off(server: FeedServer, path: str) -> None:
    problem = only_problem(server, path)
    assert "over the 0.0625 MB limit" in problem.reason or "larger than" in problem.reason
    assert "MB limit" in problem.reason


@pytest.mark.parametrize(
    ("path", "media_type"), [("/report.pdf", "application/pdf"), ("/logo.png", "image/png")]
)
def test_non_html_responses_are_refused(server: FeedServer, path: str, media_type: str) -> None:
    problem = only_problem(server, path)
    assert problem.reason.startswith(f"unsupported content type {media_type}")


def test_malformed_feed_is_a_problem(server: FeedServer) -> None:
    assert only_problem(server, "/bad-feed").reason.startswith("malformed feed:")


def test_malformed_feed_with_entries_still_loads_them(server: FeedServer) -> None:
    feed = rss_feed(server.base, [("Prisoner talks", "/articles/prisoners", "2 Jun 2025")])
    server.routes["/sloppy"] = Route(feed.replace(b"</channel></rss>", b""), "text/xml")
    articles, problems = load(server.url("/sloppy"))
    assert problems == []
    assert [article.title for article in articles] == ["Prisoner talks"]


def test_empty_response_and_refused_connection(server: FeedServer) -> None:
    assert only_problem(server, "/empty").reason == "empty response"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/feed"
    articles, problems = load(closed)
    assert articles == []
    assert problems[0].path == closed
    assert problems[0].reason.startswith("network error:")


def test_one_bad_source_never_stops_the_rest(server: FeedServer, tmp_path: Path) -> None:
    local = tmp_path / "local.md"
    local.write_text(
        "---\ntitle: Local note\npublished: 2025-06-01\nsource: Desk\n---\n"
        "Envoys met in Riyadh to talk about the Black Sea.\n",
        encoding="utf-8",
    )
    articles, problems = load(
        server.url("/broken"),
        server.url("/rss"),
        str(local),
        server.url("/report.pdf"),
        str(tmp_path / "absent.jsonl"),
        server.url("/atom"),
    )
    assert {article.title for article in articles} == {
        "Prisoner talks",
        "Grain talks",
        "Local note",
        "Monitors meet in Geneva",
    }
    assert sorted(problem.path for problem in problems) == sorted(
        [
            server.url("/broken"),
            server.url("/articles/gone"),
            server.url("/report.pdf"),
            str(tmp_path / "absent.jsonl"),
        ]
    )


def test_skip_url_avoids_fetching_known_entries(server: FeedServer) -> None:
    known = server.url("/articles/prisoners")
    with Fetcher(TEST_OPTIONS) as fetcher:
        items = list(
            load_sources([server.url("/rss")], fetcher=fetcher, skip_url={known}.__contains__)
        )
    titles = [item.title for item in items if isinstance(item, Article)]
    assert titles == ["Grain talks"]
    assert server.hits["/articles/prisoners"] == 0


def test_requests_name_negobot_as_user_agent(server: FeedServer) -> None:
    load(server.url("/page"))
    assert server.user_agents and all(agent.startswith("negobot/") for agent in server.user_agents)
