"""Login throttling: the back-off arithmetic, the real client address, the delay a login waits."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request

from bot.review.app import create_app
from bot.review.throttle import LoginThrottle, client_address, parse_networks
from tests.support.desk import Desk


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


def test_account_back_off_doubles_and_stops_at_its_ceiling() -> None:
    throttle = LoginThrottle(free_failures=3, base_delay_s=0.5, max_delay_s=4.0)
    delays = []
    for _ in range(8):
        delays.append(throttle.account_delay("Alice "))
        throttle.failed("203.0.113.1", "alice")
    assert delays == [0.0, 0.0, 0.0, 0.5, 1.0, 2.0, 4.0, 4.0]
    throttle.succeeded("198.51.100.2", "ALICE")
    assert throttle.account_delay("alice") == 0.0


def test_a_client_is_refused_after_its_failures_and_others_are_not() -> None:
    throttle = LoginThrottle(client_max_failures=3, window_s=60)
    for _ in range(3):
        throttle.failed("203.0.113.1", "alice")
    assert 0 < throttle.client_retry_after("203.0.113.1") <= 61
    assert throttle.client_retry_after("198.51.100.2") == 0


def test_client_address_believes_only_trusted_proxies() -> None:
    proxies = parse_networks(["127.0.0.1", "10.0.0.0/8"])
    assert client_address(_request("127.0.0.1", "198.51.100.7"), proxies) == "198.51.100.7"
    # A client may send its own X-Forwarded-For; the proxy appends the address it saw.
    forged = "1.2.3.4, 198.51.100.7, 10.1.2.3"
    assert client_address(_request("127.0.0.1", forged), proxies) == "198.51.100.7"
    assert client_address(_request("192.0.2.9", "198.51.100.7"), proxies) == "192.0.2.9"
    assert client_address(_request("127.0.0.1"), proxies) == "127.0.0.1"
    assert client_address(_request("192.0.2.9"), []) == "192.0.2.9"


def test_a_bad_trusted_proxy_is_named(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match=r"trusted proxy 'proxy\.local' is not an IP address"):
        create_app(sqlite_url, trusted_proxies=["proxy.local"])


def test_the_right_password_logs_in_after_the_account_delay(desk: Desk) -> None:
    desk.throttle.base_delay_s = desk.throttle.max_delay_s = 0.3
    for _ in range(desk.throttle.free_failures + 1):
        assert desk.login(password="wrong password").status_code == 401
    started = time.monotonic()
    assert desk.login().status_code == 303
    assert time.monotonic() - started >= 0.3
