"""The knobs of the web app, with safe defaults (docs/web.md explains each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    """Session lifetimes, lockout and throttling.

    OWASP's session guidance suggests idle time-outs of 15-30 minutes for sensitive
    applications and an absolute time-out of a working day (OWASP Session Management Cheat
    Sheet, "Session Expiration"); the lockout follows NIST SP 800-63B 5.2.2 (limit failed
    attempts on one account).
    """

    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    absolute_timeout: dt.timedelta = dt.timedelta(hours=12)
    max_failed_logins: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    # failures from one client address within the window before it is throttled (HTTP 429)
    client_failures: int = 20
    client_window: dt.timedelta = dt.timedelta(minutes=5)
    page_size: int = 50
    # exceptions files each server process keeps in memory for the explorer (see
    # kansa.web.exception_pages); a file larger than this is paged straight from its Parquet
    rows_cache_mb: int = 512
    # the origin browsers use (https://audit.example.com) when a TLS proxy stands in front:
    # WebAuthn answers name it, and they are checked against it; else the request's own
    public_origin: str | None = None
