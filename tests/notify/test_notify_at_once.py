"""Notifications when it happens: a new material weakness, an evidence request and a review
request reach the people concerned at once (e-mail through a real SMTP server, aiosmtpd), at
the addresses and in the languages of their accounts; a failure to send is recorded, retried
by `kansa notify send-due`, and never undoes the step that caused it."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import pytest
from test_notify import NEGATIVE, Mailbox, _port, book, smtp  # noqa: F401 (the SMTP fixture)

from kansa.appdb import Database, EvidenceRequest
from kansa.cli.app import main
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.findings.reconcile import store_run
from kansa.notify import delivery_log
from kansa.notify.at_once import announce_run
from kansa.vault import Vault, verify_vault
from kansa.web.accounts import add_user
from kansa.web.contacts import set_contact
from kansa.workflow import Desk
from kansa.workspace import Workspace, find_workspace

Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]


def relay(ws: Workspace, port: int) -> Workspace:
    """[notify] names the relay only: every address comes from the accounts."""
    cfg = ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8").split("\n[notify]")[0]
    cfg.write_text(text + f'\n[notify]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
                   'sender = "kansa@example.test"\n', encoding="utf-8")  # fmt: skip
    return find_workspace(ws.root)


def cli(ws: Workspace, actor: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("KANSA_ACTOR", actor)
    monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def people(db_workspace: Workspace) -> Workspace:
    with Database(db_workspace.database_url) as db:
        for name, role, unit, address, lang in (
            ("kato", "control_owner", "treasury", "kato@example.test", "ja"),
            ("mgr", "audit_manager", None, "mgr@example.test", "en"),
            ("rev", "reviewer", None, "rev@example.test", "ja"),
        ):
            add_user(db, name, role, **({"unit": unit} if unit else {}))
            set_contact(db, name, email=address, language=lang)
    return db_workspace


def test_each_event_is_told_at_once_in_the_accounts_language(
    people: Workspace, put_snapshot: Put, make_control: Callable[..., Control],
    smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:  # fmt: skip
    box, ws = smtp[0], relay(people, smtp[1])
    put_snapshot(ws, "customer_balances", book(negatives=10))
    control = make_control("TST-711", NEGATIVE, population_sql="select * from customer_balances")
    run = run_controls(ws, [control], progress=False, record=False)
    with Database(ws.database_url) as db:
        changes = store_run(db, run)  # as `kansa run` and `kansa findings retest` do, then:
        assert [c.rating for c in changes] == ["material_weakness"]
        desk = Desk(db, Vault(ws.vault_dir), ws.config.name, "ito")
        announce_run(desk, ws, {control.id: control}, changes)
    subjects = {m["To"]: str(m["Subject"]) for m in box.messages}
    assert subjects["mgr@example.test"].startswith("[Kansa] Material weakness: finding")
    assert "開示すべき重要な不備" in subjects["kato@example.test"]  # kato reads Japanese
    assert "rev@example.test" not in subjects  # a reviewer is not concerned
    box.messages.clear()
    due = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    assert cli(ws, "ito", monkeypatch, "requests", "create", "--to", "kato", "--due", due,
               "--dataset", "roles") == 0  # fmt: skip
    assert [(m["To"], "証跡依頼" in str(m["Subject"])) for m in box.messages] == [
        ("kato@example.test", True)
    ]
    box.messages.clear()
    assert cli(ws, "ito", monkeypatch, "signoff", "prepare", str(run.ledger_seq)) == 0
    assert [(m["To"], "レビュー依頼" in str(m["Subject"])) for m in box.messages] == [
        ("rev@example.test", True)
    ]
    told = [e.payload for e in Vault(ws.vault_dir).ledger.read() if e.kind == "notify"]
    assert [(p["action"], p["sent"], p["failed"]) for p in told] == [
        ("sent_at_once", 2, 0), ("sent_at_once", 1, 0), ("sent_at_once", 1, 0)
    ]  # fmt: skip
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_a_relay_that_is_down_loses_nothing_and_send_due_tries_again(
    people: Workspace, smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:  # fmt: skip
    box = smtp[0]
    ws = relay(people, _port())  # nobody listens there
    due = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    assert cli(ws, "ito", monkeypatch, "requests", "create", "--to", "kato", "--due", due,
               "--document", "Key ceremony minutes") == 0  # fmt: skip
    with Database(ws.database_url) as db:
        with db.session() as s:  # the request stands
            assert s.query(EvidenceRequest).count() == 1
        desk = Desk(db, Vault(ws.vault_dir), ws.config.name, "ito")
        (row,) = delivery_log(desk, failed_only=True)
        assert (row.recipient, row.channel, row.event) == ("kato", "email", "evidence_request")
        assert "SMTP 127.0.0.1" in row.error and box.messages == []
    ws = relay(ws, smtp[1])  # the relay is back
    assert cli(ws, "ito", monkeypatch, "notify", "send-due") == 0
    assert [m["To"] for m in box.messages] == ["kato@example.test"]
    with Database(ws.database_url) as db:
        desk = Desk(db, Vault(ws.vault_dir), ws.config.name, "ito")
        assert delivery_log(desk, failed_only=True) == []
        assert [r.attempts for r in delivery_log(desk)] == [2]
