"""Every connection `kansa serve` accepts has Nagle's algorithm off, also when the listening
socket was bound by uvicorn's supervisor (`--workers N`): otherwise each kept-alive request
waited for the client's delayed ACK (kansa.web.nodelay)."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from kansa.web.serving import uvicorn_options


async def _hello(_request: object) -> PlainTextResponse:
    return PlainTextResponse("x" * 2000)


def _accepted_no_delay(options: dict[str, object]) -> list[int]:
    """TCP_NODELAY of the server's end of each kept-alive connection, after two requests."""
    app = Starlette(routes=[Route("/", _hello)])
    config = uvicorn.Config(app, **{**options, "port": 0})  # type: ignore[arg-type]
    listener = config.bind_socket()  # what the supervisor of --workers N hands each process
    port = listener.getsockname()[1]
    server = uvicorn.Server(config)

    async def scenario() -> list[int]:
        task = asyncio.create_task(server.serve(sockets=[listener]))
        while not server.started:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(2):
            writer.write(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            await writer.drain()
            await reader.readuntil(b"x" * 2000)
        flags = [
            p.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            for p in server.server_state.connections  # type: ignore[attr-defined]
        ]
        writer.close()
        server.should_exit = True
        await task
        return flags

    try:
        return asyncio.run(scenario())
    finally:
        listener.close()


def test_kansa_serve_turns_nagle_off_on_a_socket_the_supervisor_bound() -> None:
    flags = _accepted_no_delay(uvicorn_options("127.0.0.1", 0))
    assert flags and all(flags), flags


def test_uvicorn_alone_leaves_nagle_on_there() -> None:
    # the cause (uvicorn issue #3149): without kansa's protocol, the same socket keeps Nagle on
    plain = {**uvicorn_options("127.0.0.1", 0), "http": "h11"}
    assert _accepted_no_delay(plain) == [0]
