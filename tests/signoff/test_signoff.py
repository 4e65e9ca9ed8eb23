"""Sign-offs bound to evidence, on SQLite and PostgreSQL: a preparer never reviews the same
item, a change to signed content voids the sign-off visibly, notes block the review, and every
step is a ledger entry that `kansa verify` covers."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from typer.testing import CliRunner

from evidence_edit import edit_value
from kansa.appdb import Database
from kansa.cli.app import app, main
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.findings import apply_run
from kansa.signoff import add_note, clear_note, prepare, review, signoff_status
from kansa.vault import Vault, verify_vault
from kansa.workflow import Desk, Policy, WorkflowError
from kansa.workspace import Workspace

NEGATIVE = "select customer_id, asset, as_of, balance from customer_balances where balance < 0"
Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]
runner = CliRunner()


def book(negatives: int, total: int = 50) -> list[dict[str, Any]]:
    return [
        {"as_of": "2026-11-20", "customer_id": f"C{i:04d}", "asset": "BTC",
         "balance": str(-5 if i < negatives else 100)}
        for i in range(total)
    ]  # fmt: skip


@contextmanager
def desk(ws: Workspace, actor: str, policy: Policy | None = None) -> Iterator[Desk]:
    with Database(ws.database_url) as db:
        yield Desk(db, Vault(ws.vault_dir), ws.config.name, actor, policy or Policy())


@pytest.fixture
def run_seq(
    db_workspace: Workspace, put_snapshot: Put, make_control: Callable[..., Control]
) -> int:
    """A failing run (with an exception file) by "Preparer Ito"; its ledger seq."""
    put_snapshot(db_workspace, "customer_balances", book(negatives=2))
    control = make_control("TST-501", NEGATIVE)
    os.environ["KANSA_ACTOR"] = "Preparer Ito"
    try:
        run = run_controls(db_workspace, [control], progress=False)
    finally:
        del os.environ["KANSA_ACTOR"]
    with Database(db_workspace.database_url) as db:
        apply_run(db, run.run_id)
    assert run.ledger_seq is not None
    return run.ledger_seq


def status_of(ws: Workspace, ref: str) -> Any:
    with Database(ws.database_url) as db:
        (s,) = signoff_status(db, Vault(ws.vault_dir), ws.config.name, ref)
    return s


def test_a_preparer_can_never_review_the_same_item(db_workspace: Workspace, run_seq: int) -> None:
    ws, ref = db_workspace, str(run_seq)
    with desk(ws, "Reviewer Sato") as d, pytest.raises(WorkflowError, match="preparer's sign-off"):
        review(d, ref)  # nothing prepared yet
    with desk(ws, "Auditor Kato") as d:
        so = prepare(d, ref)
        assert so.covers["entry_seq"] == run_seq and so.covers["files"]
        with pytest.raises(WorkflowError, match="never be its reviewer"):
            review(d, ref)  # the preparer
    with desk(ws, "Preparer Ito") as d, pytest.raises(WorkflowError, match="never be its reviewer"):
        review(d, ref)  # the person who produced the run
    with desk(ws, "Reviewer Sato") as d:
        review(d, ref)
        with pytest.raises(WorkflowError, match="already has a valid"):
            review(d, ref)
        with pytest.raises(WorkflowError, match="never be its reviewer"):
            prepare(d, f"#{run_seq}")  # nor can the reviewer turn preparer
    s = status_of(ws, ref)
    assert s.preparer.valid and s.reviewer.valid
    assert (s.preparer.signoff.actor, s.reviewer.signoff.actor) == ("Auditor Kato", "Reviewer Sato")
    signed = [e for e in Vault(ws.vault_dir).ledger.read() if e.kind == "signoff"]
    assert [(e.payload["action"], e.actor) for e in signed] == [
        ("preparer", "Auditor Kato"),
        ("reviewer", "Reviewer Sato"),
    ]
    run_entry = next(e for e in Vault(ws.vault_dir).ledger.read() if e.seq == run_seq)
    assert signed[0].payload["covers"] == {
        "entry_seq": run_seq, "entry_hash": run_entry.hash, "files": run_entry.outputs,
    }  # fmt: skip
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_a_change_to_signed_content_voids_the_sign_offs_visibly(
    db_workspace: Workspace, run_seq: int
) -> None:
    ws, ref = db_workspace, str(run_seq)
    with desk(ws, "Auditor Kato") as d:
        prepare(d, ref)
    with desk(ws, "Reviewer Sato") as d:
        review(d, ref)
    entry = next(e for e in Vault(ws.vault_dir).ledger.read() if e.seq == run_seq)
    (rel,) = entry.outputs
    edit_value(ws.vault_dir / rel, "balance", 100)  # still a valid Parquet file
    s = status_of(ws, ref)
    assert not s.preparer.valid and not s.reviewer.valid
    assert any(f"file {rel} changed" in why for why in s.preparer.void)
    assert "the preparer's sign-off is void" in s.reviewer.void
    with desk(ws, "Auditor Kato") as d, pytest.raises(WorkflowError, match="does not match"):
        prepare(d, ref)  # content that no longer matches its ledger entry cannot be signed
    done = runner.invoke(app, ["-w", str(ws.root), "signoff", "status"])
    assert done.exit_code == 0 and "VOID" in done.output and rel in done.output


def test_review_notes_must_be_cleared_by_their_author_before_the_review(
    db_workspace: Workspace, run_seq: int
) -> None:
    ws, ref = db_workspace, str(run_seq)
    with desk(ws, "Auditor Kato") as d:
        prepare(d, ref)
    with desk(ws, "Reviewer Sato") as d:
        note = add_note(d, ref, "Why is C0001 negative?")
    with desk(ws, "Reviewer Sato") as d, pytest.raises(WorkflowError, match="open review note"):
        review(d, ref)
    with desk(ws, "Auditor Kato") as d, pytest.raises(WorkflowError, match="Only Reviewer Sato"):
        clear_note(d, note.id, "answered")
    assert len(status_of(ws, ref).open_notes) == 1
    with desk(ws, "Reviewer Sato") as d:
        clear_note(d, note.id, "explained by the preparer")
        review(d, ref)
    s = status_of(ws, ref)
    assert s.reviewer.valid and s.open_notes == ()
    actions = [
        e.payload["action"] for e in Vault(ws.vault_dir).ledger.read() if e.kind == "signoff"
    ]
    assert actions == ["preparer", "note_added", "note_cleared", "reviewer"]
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_only_runs_workpapers_and_reports_can_be_signed(
    db_workspace: Workspace, run_seq: int
) -> None:
    with desk(db_workspace, "Auditor Kato") as d:
        with pytest.raises(WorkflowError, match="only a run, a workpaper"):
            prepare(d, "0")  # the first entry is the ingest of the snapshot
        with pytest.raises(WorkflowError, match="No run, workpaper or report"):
            prepare(d, "no-such-item")


class Cli:
    """The real entry point in-process, as ``actor``: (exit code, stdout + stderr)."""

    def __init__(self, ws: Workspace, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ws, self.capsys, self.monkeypatch = ws, capsys, monkeypatch
        monkeypatch.setenv("KANSA_LANG", "en")

    def __call__(self, actor: str, *args: str) -> tuple[int, str]:
        self.monkeypatch.setenv("KANSA_ACTOR", actor)
        self.monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(self.ws.root), *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, " ".join((out + err).split())


def test_the_cli_signs_a_workpaper_and_refuses_the_preparer_as_reviewer(
    db_workspace: Workspace,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = db_workspace
    put_snapshot(ws, "customer_balances", book(negatives=0))
    kansa = Cli(ws, capsys, monkeypatch)

    drawn = kansa(
        "Auditor Kato", "sample", "draw", "customer_balances", "--size", "3", "--seed", "1"
    )
    assert drawn[0] == 0, drawn
    (wp,) = [e for e in Vault(ws.vault_dir).ledger.read() if e.kind == "workpaper"]
    ref = wp.payload["workpaper_id"]
    assert kansa("Auditor Kato", "signoff", "prepare", ref)[0] == 0
    code, out = kansa("Auditor Kato", "signoff", "review", ref)
    assert code == 2 and "never be its reviewer" in out and "Traceback" not in out
    assert kansa("Reviewer Sato", "signoff", "note", "add", ref, "Seed?")[0] == 0
    code, out = kansa("Reviewer Sato", "signoff", "review", ref)
    assert code == 2 and "1 open review note" in out
    assert kansa("Reviewer Sato", "signoff", "note", "clear", "1")[0] == 0
    assert kansa("Reviewer Sato", "signoff", "review", ref)[0] == 0
    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), "signoff", "status", "--json"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["seq"], item["kind"]) == (wp.seq, "workpaper")
    assert item["preparer"]["valid"] and item["reviewer"]["actor"] == "Reviewer Sato"


def test_an_edited_ledger_entry_voids_the_sign_offs_on_it(
    db_workspace: Workspace, run_seq: int
) -> None:
    ws, ref = db_workspace, str(run_seq)
    with desk(ws, "Auditor Kato") as d:
        prepare(d, ref)
    ledger = ws.vault_dir / "ledger.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    entry = json.loads(lines[run_seq])
    entry["payload"]["failed"] = 0  # someone rewrites the run's summary, keeping its hash
    lines[run_seq] = json.dumps(entry) + "\n"
    ledger.write_text("".join(lines), encoding="utf-8")
    s = status_of(ws, ref)
    assert not s.preparer.valid
    assert f"ledger entry #{run_seq} no longer matches its hash (edited)" in s.preparer.void


def test_an_auditor_never_reviews_their_own_units_work(
    db_workspace: Workspace, run_seq: int
) -> None:
    """The reviewer's unit (their user account's) may not be the preparer's or producer's."""
    from kansa.web.accounts import add_user

    ws, ref = db_workspace, str(run_seq)
    with Database(ws.database_url) as db:
        add_user(db, "kato", "auditor", unit="treasury")
        add_user(db, "sato", "reviewer", unit="treasury")
        add_user(db, "mori", "reviewer", unit="internal_audit")
    with desk(ws, "kato") as d:
        prepare(d, ref)
    with desk(ws, "sato") as d, pytest.raises(WorkflowError, match="own unit's work"):
        review(d, ref)
    assert status_of(ws, ref).reviewer is None  # refused: nothing signed
    with desk(ws, "mori") as d:
        review(d, ref)
    assert status_of(ws, ref).reviewer.valid


@pytest.mark.parametrize("ref", ["²", "#١٢", "9" * 40])
def test_a_reference_that_only_looks_like_a_number_is_a_clear_error(
    db_workspace: Workspace, run_seq: int, ref: str
) -> None:
    """Unicode digits ("²", Arabic-Indic) pass str.isdigit() but are no ledger seq."""
    with desk(db_workspace, "Auditor Kato") as d, pytest.raises(WorkflowError, match="No run"):
        prepare(d, ref)
