"""A run committed to the vault while the app database was locked is rebuilt from the ledger
(`kansa db reconcile`, or automatically by the next `kansa run`, `runs`, `findings`) exactly as
if it had gone through: same run, same results, same findings, in ledger order. SQLite and the
suite's real PostgreSQL server; the lock is a real second connection."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from kansa.appdb import ControlResult, Database, Finding, FindingEvent, Run, upgrade
from kansa.cli.app import main
from kansa.vault import Vault
from kansa.workspace import Workspace, create_workspace, find_workspace

DAY1, DAY2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)
Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]
PASSING = ("--param", "CUS-001.min_cold_share=0.85")  # day 2 holds 90% cold: passes at 85%


def custody_book(ws: Workspace, put: Put) -> None:
    """Two assets, two days; BTC holds only 90% in cold wallets on day two (CUS-001 fails)."""
    wallets = [
        {"wallet_id": w, "asset": w[:3], "tier": t, "purpose": "customer"}
        for w, t in (("BTC-COLD", "cold"), ("BTC-HOT", "hot"), ("ETH-COLD", "cold"),
                     ("ETH-HOT", "hot"))
    ]  # fmt: skip
    held = [
        (DAY1, "BTC-COLD", 960), (DAY1, "BTC-HOT", 40), (DAY2, "BTC-COLD", 900),
        (DAY2, "BTC-HOT", 100), (DAY1, "ETH-COLD", 9_900), (DAY1, "ETH-HOT", 100),
        (DAY2, "ETH-COLD", 9_700), (DAY2, "ETH-HOT", 300),
    ]  # fmt: skip
    customers = [
        {"as_of": d, "customer_id": f"C{i}", "asset": a, "balance": str(total // 4)}
        for d in (DAY1, DAY2)
        for a, total in (("BTC", 1000), ("ETH", 10_000))
        for i in range(4)
    ]
    put(ws, "wallets", wallets)
    put(
        ws,
        "wallet_balances",
        [{"as_of": d, "wallet_id": w, "asset": w[:3], "balance": str(b)} for d, w, b in held],
    )
    put(ws, "customer_balances", customers)  # fmt: skip


def kansa(ws: Workspace, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    mp = pytest.MonkeyPatch()
    mp.setattr("sys.argv", ["kansa", "-w", str(ws.root), *args])
    try:
        with pytest.raises(SystemExit) as info:
            main()
            raise SystemExit(0)
    finally:
        mp.undo()
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, " ".join(out.err.split())  # messages unwrapped


@contextmanager
def write_locked(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another connection holds the write lock on the app database while the block runs.

    SQLite: ``BEGIN IMMEDIATE`` (readers go on, every writer gets "database is locked" after
    its busy timeout). PostgreSQL: a lock on ``runs`` that lets readers through but blocks
    inserts; ``PGOPTIONS`` gives Kansa's connections a lock timeout, as a DBA would set one.
    """
    upgrade(url)  # the schema exists: only the run's own write meets the lock
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            con.rollback()
            con.close()
        return
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as pg:
        pg.execute("LOCK TABLE runs IN SHARE ROW EXCLUSIVE MODE")
        monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=1000")
        try:
            yield
        finally:
            monkeypatch.delenv("PGOPTIONS")
            pg.rollback()


def twin(ws: Workspace, url: str, put: Put) -> Workspace:
    """A second workspace with the same book, on the same app database."""
    other = create_workspace(ws.root.parent / "twin", name="twin")
    cfg = other.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("sqlite:///kansa.db", url), encoding="utf-8")
    other = find_workspace(other.root)
    custody_book(other, put)
    return other


def state(ws: Workspace) -> dict[str, Any]:
    """Everything the app database holds for ``ws``, with run ids and times replaced by the
    run's ledger position (the two workspaces' runs differ only in those)."""
    with Database(ws.database_url) as db, db.session() as s:
        runs = list(s.scalars(select(Run).where(Run.workspace == ws.config.name)))
        seq = {r.id: r.ledger_seq for r in runs}
        results = s.scalars(select(ControlResult).where(ControlResult.run_id.in_(seq)))
        findings = list(s.scalars(select(Finding).where(Finding.workspace == ws.config.name)))
        number = {f.id: n for n, f in enumerate(sorted(findings, key=lambda f: f.id))}
        events = s.scalars(select(FindingEvent).where(FindingEvent.finding_id.in_(number)))
        return {
            "runs": sorted(
                (r.ledger_seq, r.as_of, r.engine, r.actor, r.controls_total, r.passed,
                 r.failed, r.errored, json.dumps(r.overrides, sort_keys=True))
                for r in runs
            ),
            "results": sorted(
                (seq[c.run_id], c.control_id, c.control_version, c.version_hash, c.severity,
                 c.status, json.dumps(c.parameters, sort_keys=True),
                 json.dumps(c.snapshots, sort_keys=True), c.engine, c.population_count,
                 c.exception_count, (c.exceptions_file or "").replace(c.run_id, "RUN"),
                 c.exceptions_sha256, c.error)
                for c in results
            ),
            "findings": sorted(
                (number[f.id], f.control_id, f.scope, f.severity, f.rating, f.status, f.repeat,
                 number.get(f.previous_id or -1), f.owner, seq[f.first_seen_run_id],
                 seq[f.last_seen_run_id], seq.get(f.closed_run_id or ""), f.occurrences,
                 f.exception_count, f.population_count)
                for f in findings
            ),
            "events": sorted(
                (number[e.finding_id], seq[e.run_id], e.kind, e.rating, e.exception_count,
                 e.population_count,
                 re.sub(r"\d+", lambda m: str(number.get(int(m.group()))), e.note))
                for e in events
            ),
        }  # fmt: skip


def run_ids(ws: Workspace) -> set[str]:
    with Database(ws.database_url) as db, db.session() as s:
        return set(s.scalars(select(Run.id).where(Run.workspace == ws.config.name)))


def test_a_run_missed_while_locked_is_rebuilt_like_one_that_went_through(
    db_workspace: Workspace,
    database_url: str,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked = db_workspace
    custody_book(locked, put_snapshot)
    normal = twin(locked, database_url, put_snapshot)
    # the reference: fail (opens a finding), pass (its retest passes: ready for a reviewer's
    # closure), fail (back to remediation)
    for args in ((), PASSING, ()):
        assert kansa(normal, capsys, "run", "--controls", "CUS-001", *args)[0] == 0

    assert kansa(locked, capsys, "run", "--controls", "CUS-001")[0] == 0
    with write_locked(database_url, monkeypatch):
        code, out, err = kansa(locked, capsys, "run", "--controls", "CUS-001", *PASSING)
    assert code == 2, out + err
    assert "could not record run" in err and "kansa db reconcile" in err
    missed = Vault(locked.vault_dir).ledger.head()
    assert missed is not None and missed.kind == "run"
    assert missed.payload["run_id"] not in run_ids(locked)  # in the ledger, not in the database

    code, out, err = kansa(locked, capsys, "db", "reconcile")
    assert code == 0 and missed.payload["run_id"] in out and "1 retest_passed" in out, out + err
    with Database(locked.database_url) as db, db.session() as s:
        row = s.get(Run, missed.payload["run_id"])
        assert row is not None and (row.ledger_seq, row.ledger_hash) == (missed.seq, missed.hash)
        assert row.finished_at == dt.datetime.fromisoformat(missed.payload["finished_at"])
    code, out, _ = kansa(locked, capsys, "db", "reconcile")  # idempotent
    assert code == 0 and "holds every run" in out
    assert kansa(locked, capsys, "run", "--controls", "CUS-001")[0] == 0

    assert state(locked) == state(normal)
    # opened, retest passed, updated again (the retest did not hold: back to remediation)
    assert len(state(locked)["events"]) == 3


def test_the_next_command_records_the_missed_run_before_anything_else(
    db_workspace: Workspace,
    database_url: str,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`kansa run` after a missed run: the missed one first (the finding's retest passes), then
    the new one (it fails again: the finding is updated, back to remediation), exactly as in a
    workspace where nothing was missed."""
    locked = db_workspace
    custody_book(locked, put_snapshot)
    normal = twin(locked, database_url, put_snapshot)
    for args in ((), PASSING, ()):
        assert kansa(normal, capsys, "run", "--controls", "CUS-001", *args)[0] == 0
    assert kansa(locked, capsys, "run", "--controls", "CUS-001")[0] == 0
    with write_locked(database_url, monkeypatch):
        assert kansa(locked, capsys, "run", "--controls", "CUS-001", *PASSING)[0] == 2
    code, out, err = kansa(locked, capsys, "run", "--controls", "CUS-001", "--json")
    assert code == 0 and "had missed" in err
    assert [f["kind"] for f in json.loads(out)["findings"]] == ["updated"]
    assert state(locked) == state(normal)


def test_findings_and_runs_catch_up_first(
    db_workspace: Workspace,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = db_workspace
    custody_book(ws, put_snapshot)
    with write_locked(ws.database_url, monkeypatch):
        assert kansa(ws, capsys, "run", "--controls", "CUS-001")[0] == 2
    code, out, err = kansa(ws, capsys, "findings", "--json")
    assert code == 0 and "had missed" in err
    (finding,) = json.loads(out)
    assert (finding["control_id"], finding["status"]) == ("CUS-001", "open")
    code, out, err = kansa(ws, capsys, "runs", "--json")
    assert code == 0 and len(json.loads(out)) == 1 and "had missed" not in err


def test_an_exclusive_lock_at_the_start_refuses_the_run_before_it_commits(
    workspace: Workspace, put_snapshot: Put, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing can diverge: the run stops before the vault is written."""
    custody_book(workspace, put_snapshot)
    before = Vault(workspace.vault_dir).ledger.head()
    con = sqlite3.connect(workspace.root / "kansa.db", isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = kansa(workspace, capsys, "run", "--controls", "CUS-001")
    finally:
        con.rollback()
        con.close()
    assert code == 2 and "locked" in err
    assert Vault(workspace.vault_dir).ledger.head() == before


def test_reconcile_refuses_a_ledger_whose_chain_is_broken(
    workspace: Workspace, put_snapshot: Put, capsys: pytest.CaptureFixture[str]
) -> None:
    from kansa.controls import load_catalog
    from kansa.engine import run_controls

    custody_book(workspace, put_snapshot)
    run = run_controls(
        workspace, [load_catalog()["CUS-001"]], progress=False, record=False
    )  # a run the database never saw
    ledger = Path(workspace.vault_dir / "ledger.jsonl")
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace('"status":"fail"', '"status":"pass"')
    ledger.write_text("".join(lines), encoding="utf-8")
    code, _, err = kansa(workspace, capsys, "db", "reconcile")
    assert code == 2 and "hash chain" in err
    assert run.run_id not in run_ids(workspace)
    code, out, err = kansa(workspace, capsys, "runs", "--json")  # listing still works, warned
    assert code == 0 and json.loads(out) == [] and "warning" in err and "hash chain" in err


def test_a_report_includes_the_run_the_database_missed(
    workspace: Workspace,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    custody_book(workspace, put_snapshot)
    with write_locked(workspace.database_url, monkeypatch):
        assert kansa(workspace, capsys, "run", "--controls", "CUS-001")[0] == 2
    code, _, err = kansa(workspace, capsys, "report", "-o", str(workspace.root / "r.html"))
    assert code == 0 and "had missed" in err, err
    html = (workspace.root / "r.html").read_text(encoding="utf-8")
    assert '<td class="num">1</td><td><code>CUS-001</code>' in html  # its open finding


def test_storing_a_run_twice_changes_nothing(workspace: Workspace, put_snapshot: Put) -> None:
    from kansa.controls import load_catalog
    from kansa.engine import run_controls
    from kansa.findings.reconcile import store_run

    custody_book(workspace, put_snapshot)
    run = run_controls(workspace, [load_catalog()["CUS-001"]], progress=False, record=False)
    with Database(workspace.database_url) as db:
        assert [c.kind for c in store_run(db, run)] == ["opened"]
        before = state(workspace)
        assert store_run(db, run) == []
    assert state(workspace) == before
