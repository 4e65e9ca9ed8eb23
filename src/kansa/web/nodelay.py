"""uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection it accepts.

Why: uvicorn writes a response's head and its body in two ``send`` calls. With Nagle's
algorithm on, the kernel holds the second one until the client acknowledges the first, and
the client delays that acknowledgement (40 ms on Linux) once a kept-alive connection leaves
quick-ack mode: every request after the first few on a connection then waited 40-90 ms for
nothing. asyncio turns Nagle off (``TCP_NODELAY``) on accepted sockets only when the listening
socket says ``proto == IPPROTO_TCP``; ``kansa serve --workers N`` (N > 1) has uvicorn bind the
listening socket itself, with ``proto`` 0, so its connections kept Nagle on, while one process
(asyncio binds from ``getaddrinfo``, ``proto`` 6) did not (uvicorn issue #3149,
https://github.com/Kludex/uvicorn/issues/3149; measured in docs/perf/web.md).

This protocol sets ``TCP_NODELAY`` itself on every TCP connection, whatever bound the socket,
so every way ``kansa serve`` runs answers without that wait.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

# the import path uvicorn's ``http=`` option takes (worker processes import it afresh)
PROTOCOL = "kansa.web.nodelay:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    """:class:`~uvicorn.protocols.http.h11_impl.H11Protocol`, Nagle off."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes on ``transport`` at once (a TCP connection; others are left alone)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
