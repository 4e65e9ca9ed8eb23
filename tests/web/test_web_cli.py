"""`kansa users add|list|reset-password` and `kansa serve` on a real socket."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
from helpers_web import client, post_login
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.errors import KansaError
from kansa.workspace import Workspace

runner = CliRunner()


def _cli(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.output


def test_users_add_list_reset(demo: Workspace) -> None:
    w = str(demo.root)
    code, out = _cli(
        "-w", w, "users", "add", "olga", "--role", "control_owner", "--unit", "treasury"
    )
    assert code == 0, out
    one_time = re.search(r"One-time password for olga: (\S+)", out)
    assert one_time
    assert post_login(client(demo), "olga", one_time.group(1)).headers["location"] == "/password"
    code, out = _cli("-w", w, "users", "list")
    assert code == 0 and "olga" in out and "control_owner" in out and "treasury" in out
    code, out = _cli("-w", w, "users", "reset-password", "olga")
    again = re.search(r"One-time password for olga: (\S+)", out)
    assert code == 0 and again and again.group(1) != one_time.group(1)
    assert post_login(client(demo), "olga", one_time.group(1)).status_code == 400
    assert post_login(client(demo), "olga", again.group(1)).status_code == 303


def test_users_bad_input_is_exit_2_with_one_message(demo: Workspace) -> None:
    w = str(demo.root)
    for args, words in [
        (("users", "add", "Bad Name", "--role", "viewer"), "user name"),
        (("users", "add", "pat", "--role", "superuser"), "unknown role"),
        (("users", "add", "pat", "--role", "control_owner"), "--unit"),
        (("users", "add", "pat", "--role", "external_reviewer"), "--expires"),
        (("users", "reset-password", "nobody"), "no user"),
    ]:
        r = runner.invoke(app, ["-w", w, *args])  # main() turns this into one line, exit 2
        assert isinstance(r.exception, KansaError), (args, r.output)
        assert r.exception.exit_code == 2 and words in r.exception.message, args
    r = runner.invoke(app, ["-w", w, "users", "add", "pat", "--role", "viewer"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["-w", w, "users", "add", "pat", "--role", "viewer"])
    assert isinstance(r.exception, KansaError) and "already exists" in r.exception.message


def test_errors_reach_the_terminal_without_traceback(demo: Workspace) -> None:
    env = {**os.environ, "KANSA_LANG": "en"}
    r = subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(demo.root),
         "users", "add", "x y", "--role", "viewer"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr and "user name" in r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kansa_serve_answers_on_loopback(demo: Workspace) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(demo.root),
         "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert r.status_code == 200 and "Sign in" in r.text
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 303
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_refuses_plain_http_beyond_loopback(demo: Workspace) -> None:
    r = runner.invoke(app, ["-w", str(demo.root), "serve", "--host", "0.0.0.0"])
    assert isinstance(r.exception, KansaError) and "plain HTTP" in r.exception.message
