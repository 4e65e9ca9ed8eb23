"""The uvicorn options of ``kansa serve``, the same for one process and for ``--workers N``.

Kept apart from the CLI so that a test can run a server with exactly these options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kansa.web import nodelay


def uvicorn_options(
    host: str, port: int, tls_cert: Path | None = None, tls_key: Path | None = None
) -> dict[str, Any]:
    """Loopback or TLS, quiet logs, no trusted proxy headers, Nagle off on every connection
    (:mod:`kansa.web.nodelay`)."""
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": False,
        "ssl_certfile": tls_cert,
        "ssl_keyfile": tls_key,
        "http": nodelay.PROTOCOL,
    }
