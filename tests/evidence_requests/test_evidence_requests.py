"""Evidence requests, on SQLite and PostgreSQL: asked with a due date and what the file must
hold; a dataset delivered through ingest (all-or-nothing, precise errors), a document into the
vault, hashed; every step a ledger entry; the CLI the same."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kansa.appdb import Database
from kansa.cli.app import main
from kansa.evidence_requests import (
    cancel_request,
    create_request,
    due_requests,
    fulfil_request,
    list_requests,
)
from kansa.ingest import InvalidData
from kansa.vault import Vault, sha256_file, verify_vault
from kansa.web.accounts import add_user
from kansa.workflow import Desk, WorkflowError
from kansa.workspace import Workspace

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
GOOD = "role_id,name,system,privileged,duty\nR1,Signer,custody,true,key_custodian\n"
BAD = GOOD + "R2,Boss,custody,true,boss\n"


@contextmanager
def desk(ws: Workspace, actor: str, now: dt.datetime = NOW) -> Iterator[Desk]:
    with Database(ws.database_url) as db:
        yield Desk(db, Vault(ws.vault_dir), ws.config.name, actor, now=now)


def entries(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (e.payload["action"], e.actor)
        for e in Vault(ws.vault_dir).ledger.read()
        if e.kind == "evidence_request"
    ]


def test_a_dataset_request_is_fulfilled_only_by_a_file_that_meets_its_contract(
    db_workspace: Workspace, tmp_path: Path
) -> None:
    ws = db_workspace
    with Database(ws.database_url) as db:
        add_user(db, "kato", "control_owner", unit="infosec")
        add_user(db, "mori", "control_owner", unit="treasury")
    with desk(ws, "ito") as d:
        with pytest.raises(WorkflowError, match="either a dataset"):
            create_request(d, "kato", dt.date(2026, 12, 10))
        with pytest.raises(Exception, match="Unknown dataset"):
            create_request(d, "kato", dt.date(2026, 12, 10), contract="rolez")
        with pytest.raises(WorkflowError, match="before today"):
            create_request(d, "kato", dt.date(2026, 11, 30), contract="roles")
        r = create_request(d, "kato", dt.date(2026, 12, 10), contract="roles")
    assert r.unit == "infosec"  # from the assignee's account
    bad, good = tmp_path / "roles_bad.csv", tmp_path / "roles.csv"
    bad.write_text(BAD)
    good.write_text(GOOD)
    with desk(ws, "mori") as d, pytest.raises(WorkflowError, match="cannot deliver"):
        fulfil_request(d, ws, r.id, good)  # another unit
    with desk(ws, "kato") as d:
        with pytest.raises(InvalidData) as refused:
            fulfil_request(d, ws, r.id, bad)
        (problem,) = refused.value.problems
        assert (problem.line, problem.column, problem.value) == (3, "duty", "boss")
        assert [x.state for x in list_requests(d.db, d.workspace, outstanding=True)] == [
            "outstanding"
        ]
        assert not [e for e in Vault(ws.vault_dir).ledger.read() if e.kind == "ingest"]
        done = fulfil_request(d, ws, r.id, good)
    assert done.state == "fulfilled" and done.delivered["dataset"] == "roles"
    assert done.delivered["rows"] == 1
    with desk(ws, "kato") as d, pytest.raises(WorkflowError, match="is fulfilled"):
        fulfil_request(d, ws, r.id, good)
    assert entries(ws) == [("requested", "ito"), ("fulfilled", "kato")]
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_a_document_goes_into_the_vault_hashed_and_overdue_ones_are_listed(
    db_workspace: Workspace, tmp_path: Path
) -> None:
    ws = db_workspace
    with desk(ws, "ito") as d:
        doc_req = create_request(d, "Kato Jiro", dt.date(2026, 12, 3),
                                 description="Signed key ceremony minutes, Nov 2026")  # fmt: skip
        other = create_request(d, "Kato Jiro", dt.date(2026, 12, 20), contract="roles")
    later = NOW + dt.timedelta(days=5)
    with desk(ws, "ito", later) as d:
        assert [r.id for r in due_requests(d.db, d.workspace, d.today)] == [doc_req.id]
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(b"%PDF-1.4 minutes")
    with desk(ws, "Kato Jiro") as d:
        r = fulfil_request(d, ws, doc_req.id, minutes)
    stored = Vault(ws.vault_dir).root / r.delivered["path"]
    assert sha256_file(stored) == sha256_file(minutes) == r.delivered["sha256"]
    with desk(ws, "Kato Jiro") as d, pytest.raises(WorkflowError, match="Only ito"):
        cancel_request(d, other.id, "not needed")
    with desk(ws, "ito") as d:
        assert cancel_request(d, other.id, "not needed").state == "cancelled"
        assert list_requests(d.db, d.workspace, outstanding=True) == []
    assert entries(ws) == [("requested", "ito"), ("requested", "ito"),
                           ("fulfilled", "Kato Jiro"), ("cancelled", "ito")]  # fmt: skip
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_the_cli_asks_lists_and_delivers(
    db_workspace: Workspace, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = db_workspace
    monkeypatch.setenv("KANSA_LANG", "en")

    def kansa(actor: str, *args: str) -> tuple[int, str]:
        """The real entry point in-process, as ``actor``: (exit code, stdout + stderr)."""
        monkeypatch.setenv("KANSA_ACTOR", actor)
        monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), "requests", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out + err

    due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
    code, out = kansa("Ito", "create", "--to", "Kato", "--due", due, "--dataset", "roles")
    assert code == 0 and "Evidence request 1 to Kato" in out, out
    code, out = kansa("Ito", "create", "--to", "Kato", "--due", "31/12/2026", "--document", "x")
    assert code == 2 and "is not a date" in out and "Traceback" not in out
    code, out = kansa("Ito", "create", "--to", "Kato", "--due", due, "--dataset", "roles",
                      "--document", "x")  # fmt: skip
    assert code == 2 and "either a dataset" in out
    (bad := tmp_path / "bad.csv").write_text(BAD)
    code, out = kansa("Kato", "fulfil", "1", str(bad))
    assert code == 1 and "boss" in out and "duty" in out
    listed = json.loads(kansa("Ito", "list", "--json")[1])
    assert [(x["id"], x["state"]) for x in listed] == [(1, "outstanding")]
    (good := tmp_path / "good.csv").write_text(GOOD)
    code, out = kansa("Kato", "fulfil", "1", str(good))
    assert code == 0 and "fulfilled" in out, out
    assert json.loads(kansa("Ito", "list", "--json")[1]) == []
    everything = json.loads(kansa("Ito", "list", "--all", "--json")[1])
    assert everything[0]["state"] == "fulfilled"
    code, out = kansa("Ito", "list")
    assert code == 0 and "Evidence requests" in out
