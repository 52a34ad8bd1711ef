"""Login throttling that slows guessing without letting anyone lock a moderator out."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_TRACKED = 50_000


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Parse trusted proxy addresses or networks (raises ValueError naming a bad one)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"trusted proxy {value!r} is not an IP address or network") from error
    return networks


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(request: Request, trusted_proxies: list[Network]) -> str:
    """Return the client's address: the peer, or behind trusted proxies the X-Forwarded-For hop
    nearest to us that no trusted proxy added (later hops can be forged by the client)."""
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not _trusted(hop, trusted_proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


class LoginThrottle:
    """Per-account back-off (a delay, never a refusal) and a per-client failure limit.

    After `free_failures` recent failures for a name, every login to it waits
    base_delay_s × 2^(extra failures), at most `max_delay_s`, and is then checked as usual:
    the right password still logs in. A client address with `client_max_failures` failures in
    `window_s` seconds is refused until the oldest of them ages out.
    """

    def __init__(
        self,
        *,
        free_failures: int = 3,
        base_delay_s: float = 0.5,
        max_delay_s: float = 4.0,
        client_max_failures: int = 20,
        window_s: float = 900.0,
    ) -> None:
        self.free_failures = free_failures
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.client_max_failures = client_max_failures
        self.window_s = window_s
        self._accounts: dict[str, deque[float]] = defaultdict(deque)
        self._clients: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, table: dict[str, deque[float]], key: str, now: float) -> deque[float]:
        failures = table[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if not failures:
            del table[key]
            return deque()
        return failures

    def account_delay(self, name: str) -> float:
        """Seconds a login to this account waits before its password is checked."""
        with self._lock:
            count = len(self._recent(self._accounts, _account(name), time.monotonic()))
        extra = count - self.free_failures
        if extra < 0:
            return 0.0
        return min(self.base_delay_s * 2 ** min(extra, 30), self.max_delay_s)

    def client_retry_after(self, address: str) -> int:
        """Seconds until this client may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(self._clients, address, now)
            if len(failures) < self.client_max_failures:
                return 0
            return max(1, int(failures[0] + self.window_s - now) + 1)

    def failed(self, address: str, name: str) -> None:
        """Count one failed login for the client and the account."""
        now = time.monotonic()
        with self._lock:
            if len(self._accounts) + len(self._clients) > MAX_TRACKED:
                # Guesses at many made-up names must not grow memory without bound.
                for table in (self._accounts, self._clients):
                    for key in list(table):
                        self._recent(table, key, now)
            self._accounts[_account(name)].append(now)
            self._clients[address].append(now)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the account's and this client's failures after a right password."""
        with self._lock:
            self._accounts.pop(_account(name), None)
            self._clients.pop(address, None)


def _account(name: str) -> str:
    return name.strip().lower()[:64]
