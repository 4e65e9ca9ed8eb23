"""`kansa serve --workers N`: several processes over one workspace, each seeing what the
others did, and the per-address sign-in throttle split between them."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from kansa.appdb import Database
from kansa.web import api_tokens, workers
from kansa.web.accounts import add_user, list_users
from kansa.web.settings import WebSettings
from kansa.workspace import Workspace


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _token(ws: Workspace, username: str) -> str:
    with Database(ws.database_url) as db:
        add_user(db, username, "auditor")
        user = next(u for u in list_users(db) if u.username == username)
        return api_tokens.create(db, user, "t", "auditor", 1, dt.datetime.now(dt.UTC))


@pytest.fixture
def two_workers(demo: Workspace) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(demo.root),
         "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    out = proc.stdout.read() if proc.stdout else b""
    assert b"with 2 process" in out.replace(b"\n", b" ")


def test_a_verification_in_one_worker_shows_in_every_worker(
    demo: Workspace, two_workers: str
) -> None:
    headers = {"Authorization": f"Bearer {_token(demo, 'wendy')}"}
    # a new connection per request, so that requests reach both processes
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=two_workers, headers=headers, timeout=30, limits=fresh) as c:
        # every worker reads the last verification before there is one...
        before = [c.get("/api/overview").json()["last_verify"] for _ in range(12)]
        assert before == [None] * 12
        done = c.post("/api/verify").json()
        assert done["ok"] is True
        # ...and each then shows the new one, whichever process verified
        after = [c.get("/api/overview").json()["last_verify"] for _ in range(12)]
    assert all(v is not None and v["by"] == "wendy" for v in after), after
    assert {v["head_seq"] for v in after} == {done["head_seq"]}


def test_each_worker_allows_its_share_of_failed_sign_ins_per_address(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(os.environ, "KANSA_SERVE_WORKSPACE", str(demo.root))
    monkeypatch.setitem(os.environ, "KANSA_SERVE_WORKERS", "3")
    settings = workers.app().state.kansa.settings
    assert settings.client_failures * 3 >= WebSettings().client_failures
    assert (settings.client_failures - 1) * 3 < WebSettings().client_failures


def test_the_default_is_one_process_per_core_up_to_four() -> None:
    cores = len(os.sched_getaffinity(0))
    assert workers.default_count() == max(1, min(4, cores))
