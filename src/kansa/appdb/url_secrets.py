"""Database URLs without their passwords, for every message, log line and status output.

A ``database_url`` can carry a password in two places: the user-info part
(``postgresql+psycopg://user:secret@host/db``, RFC 3986 section 3.2.1) and a query parameter
that libpq reads as a connection keyword (``?password=secret``, also ``sslpassword``; see
PostgreSQL's "Connection Strings", libpq section 34.1.1). SQLAlchemy's
``render_as_string(hide_password=True)`` hides only the first, and splits
``user:p@ss@host`` at the first ``@``, so it shows ``ss@host``. :func:`mask_url` hides both,
takes the user-info up to the *last* ``@``, and works on text that is not a URL at all (a typo
in kansa.toml must not print the password either). :func:`scrub` removes the password from
text that did not come from us (a driver's error message).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"
# libpq's password keywords and the usual aliases, as key=value in a query or a DSN string
_SECRET_KEYS = re.compile(r"(?i)(?<![\w])((?:ssl)?password|passwd|pass|pwd)=([^&\s]*)")
# shorter passwords are not replaced in free text: they would garble the message around them
_SCRUB_MIN = 4


def mask_url(url: str) -> str:
    """``url`` with every password replaced by ``***`` (user-info and query parameters)."""
    masked = _SECRET_KEYS.sub(rf"\1={MASK}", url)
    scheme = masked.find("://")
    start = scheme + 3 if scheme >= 0 else 0
    query = masked.find("?", start)
    end = len(masked) if query < 0 else query
    at = masked.rfind("@", start, end)
    if at < 0:
        return masked
    colon = masked.find(":", start, at)
    if colon < 0:
        return masked
    return masked[: colon + 1] + MASK + masked[at:]


def passwords(url: str) -> list[str]:
    """The password strings ``url`` holds, as written and percent-decoded."""
    found = [m.group(2) for m in _SECRET_KEYS.finditer(url)]
    scheme = url.find("://")
    start = scheme + 3 if scheme >= 0 else 0
    query = url.find("?", start)
    at = url.rfind("@", start, len(url) if query < 0 else query)
    colon = url.find(":", start, at) if at >= 0 else -1
    if colon >= 0:
        found.append(url[colon + 1 : at])
    both = found + [unquote(p) for p in found]
    return sorted({p for p in both if p}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's message, a traceback line) with the passwords of ``url`` masked."""
    for secret in passwords(url):
        if len(secret) >= _SCRUB_MIN:
            text = text.replace(secret, MASK)
    return _SECRET_KEYS.sub(rf"\1={MASK}", text)
