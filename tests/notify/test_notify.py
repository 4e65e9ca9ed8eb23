"""Notifications against a real SMTP server (aiosmtpd) and a real HTTP server started here:
each person concerned gets each notice once, in their language, with no customer identifier;
failures are recorded and retried, never dropped; the batch is on the ledger."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kansa.appdb import Database
from kansa.cli.app import main
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.evidence_requests import create_request
from kansa.findings import apply_run, assign, list_findings
from kansa.notify import delivery_log, notify_config, send_due
from kansa.signoff import prepare
from kansa.vault import Vault, verify_vault
from kansa.web.accounts import add_user
from kansa.workflow import Desk
from kansa.workspace import Workspace, find_workspace

NEGATIVE = "select customer_id, asset, as_of, balance from customer_balances where balance < 0"
Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), _port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def hooks() -> Iterator[tuple[list[dict[str, Any]], int]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/fail":
                self.send_response(500)
            else:
                received.append(
                    {"body": json.loads(body), "sig": self.headers.get("X-Kansa-Signature")}
                )
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, server.server_address[1]
    server.shutdown()


def book(negatives: int, total: int = 100) -> list[dict[str, Any]]:
    return [
        {"as_of": "2026-11-20", "customer_id": f"C{i:04d}", "asset": "BTC",
         "balance": str(-5 if i < negatives else 100)}
        for i in range(total)
    ]  # fmt: skip


def configure(ws: Workspace, smtp_port: int, hook_port: int) -> Workspace:
    cfg = ws.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text()
        + f"""
[notify]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
sender = "kansa@example.test"
app_url = "https://kansa.example.test"
webhook_secret_env = "KANSA_TEST_HOOK_SECRET"

[notify.people.kato]
email = "kato@example.test"
language = "ja"

[notify.people.mgr]
email = "mgr@example.test"
webhook = "http://127.0.0.1:{hook_port}/ok"

[notify.people.mgr2]
webhook = "http://127.0.0.1:{hook_port}/fail"
"""
    )
    return find_workspace(ws.root)


def test_notices_reach_the_people_concerned_once_in_their_language(
    db_workspace: Workspace, put_snapshot: Put, make_control: Callable[..., Control],
    smtp: tuple[Mailbox, int], hooks: tuple[list[dict[str, Any]], int],
    monkeypatch: pytest.MonkeyPatch, capsys: Any,
) -> None:  # fmt: skip
    box, hook_log = smtp[0], hooks[0]
    ws = configure(db_workspace, smtp[1], hooks[1])
    monkeypatch.setenv("KANSA_TEST_HOOK_SECRET", "s3cret")
    with Database(ws.database_url) as db:
        add_user(db, "kato", "control_owner", unit="treasury")
        add_user(db, "mgr", "audit_manager")
        add_user(db, "mgr2", "audit_manager")
        add_user(db, "sato", "reviewer")  # no address: a recorded failure, not silence
    put_snapshot(ws, "customer_balances", book(negatives=10))
    control = make_control("TST-701", NEGATIVE, population_sql="select * from customer_balances",
                           severity="high")  # fmt: skip
    run = run_controls(ws, [control], progress=False)
    with Database(ws.database_url) as db:
        apply_run(db, run.run_id, {control.id: "treasury"})
        (f,) = list_findings(db, ws.config.name)
        assert f.rating == "material_weakness"
        d = Desk(db, Vault(ws.vault_dir), ws.config.name, "ito")
        assign(d, f.id, "kato", d.today - dt.timedelta(days=2), unit="treasury")
        create_request(d, "kato", d.today + dt.timedelta(days=5), contract="roles")
        prepare(d, str(run.ledger_seq))
        cfg = notify_config(ws.config.raw)
        first = send_due(d, cfg, {control.id: control})
        assert first.failed == 3  # mgr2's webhook answers 500 (twice), sato has no address
        assert {(x["recipient"], x["channel"]) for x in first.failures} == {
            ("mgr2", "webhook"),
            ("sato", "none"),
        }
        to_kato = [m for m in box.messages if m["To"] == "kato@example.test"]
        subjects = sorted(str(m["Subject"]) for m in to_kato)
        assert len(subjects) == 3 and all("[Kansa]" in s for s in subjects)
        assert any("開示すべき重要な不備" in s for s in subjects)  # Japanese for kato
        assert any("期限超過" in s for s in subjects) and any("証跡依頼" in s for s in subjects)
        to_mgr = [str(m["Subject"]) for m in box.messages if m["To"] == "mgr@example.test"]
        assert sorted(to_mgr) == sorted([f"[Kansa] Material weakness: finding {f.id} (TST-701)",
                                         f"[Kansa] Overdue: finding {f.id}, 2 day(s)"])  # fmt: skip
        assert {h["body"]["event"] for h in hook_log} == {"material_weakness", "finding_overdue"}
        assert all(h["sig"] and h["sig"].startswith("sha256=") for h in hook_log)
        everything = " ".join(m.get_content() for m in box.messages) + json.dumps(
            [h["body"] for h in hook_log], ensure_ascii=False
        )
        assert "C0001" not in everything and "s3cret" not in everything
        assert "https://kansa.example.test/findings/" in everything
        # again: nothing twice; failures are tried again and stay recorded
        sent = len(box.messages)
        second = send_due(d, cfg, {control.id: control})
        assert (second.sent, second.failed) == (0, 3) and len(box.messages) == sent
        failing = delivery_log(d, failed_only=True)
        assert {r.attempts for r in failing} == {2}
    entries = [e.payload for e in Vault(ws.vault_dir).ledger.read() if e.kind == "notify"]
    assert [(p["sent"], p["failed"]) for p in entries] == [(first.sent, 3), (0, 3)]
    assert verify_vault(Vault(ws.vault_dir)).ok
    # the CLI: exit 1 while anything fails, and the log names each failure
    monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), "notify", "send-due"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1 and "failed 3" in capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), "notify", "log", "--failed",
                                      "--json"])  # fmt: skip
    with pytest.raises(SystemExit) as done:
        main()
    log = json.loads(capsys.readouterr().out)
    assert {(r["recipient"], r["channel"]) for r in log} == {("mgr2", "webhook"), ("sato", "none")}
