"""Throttling of failed sign-ins per client address (in memory, per server process).

The per-account lockout lives in the database (:func:`kansa.web.accounts.sign_in`); this
limits one address trying many accounts (password spraying), which a per-account counter
cannot see. NIST SP 800-63B 5.2.2 asks for rate limiting of failed attempts.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict, deque


class Throttle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[dt.datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: dt.datetime, window: dt.timedelta) -> deque[dt.datetime]:
        times = self._failures[client]
        while times and now - times[0] > window:
            times.popleft()
        return times

    def blocked(self, client: str, now: dt.datetime, limit: int, window: dt.timedelta) -> bool:
        with self._lock:
            return len(self._recent(client, now, window)) >= limit

    def fail(self, client: str, now: dt.datetime, window: dt.timedelta) -> None:
        with self._lock:
            self._recent(client, now, window).append(now)
