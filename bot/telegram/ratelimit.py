"""Per-user question rate limit over a sliding window."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowRateLimiter:
    """Allow each user at most `limit` questions in any `window_seconds` span."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError(f"rate limit must be at least 1 per window, got {limit}")
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._warned: set[int] = set()  # users told to slow down since their last question
        self._next_sweep = clock() + window_seconds

    def try_acquire(self, user_id: int) -> float:
        """Record a question and return 0, or return the seconds to wait if over the limit."""
        now = self._clock()
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window_seconds:
            recent.popleft()
        if len(recent) >= self.limit:
            return max(recent[0] + self.window_seconds - now, 0.001)
        recent.append(now)
        self._warned.discard(user_id)
        self._forget_idle_users(now)
        return 0.0

    def first_refusal(self, user_id: int) -> bool:
        """Return True once per burst of refused questions: one "slow down", not one each."""
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True

    @staticmethod
    def seconds_to_show(wait: float) -> int:
        """Round a wait up to whole seconds, at least 1, for showing to a user."""
        return max(1, math.ceil(wait))

    def _forget_idle_users(self, now: float) -> None:
        # Keep memory bounded by recently active users; sweeping once a window is enough.
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window_seconds
        cutoff = now - self.window_seconds
        idle = [uid for uid, times in self._recent.items() if not times or times[-1] <= cutoff]
        for user_id in idle:
            del self._recent[user_id]
            self._warned.discard(user_id)
