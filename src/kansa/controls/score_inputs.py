"""Where the exception keys that :func:`kansa.controls.scoring.score` compares come from.

Either a stored run (its exception Parquet files in the vault, named in the app database), or a
direct execution of the catalog on the workspace's latest snapshots (no run is recorded: a
catalog author's quick check, independent of the engine).

Both tell three kinds of control apart: scored (exception keys), errored (broken: never scored
as a pass), and not tested (an input never loaded or loaded with no rows, as the engine decides
it in kansa.engine.coverage: the control is fine, there was nothing to test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow.parquet as pq
from sqlalchemy import select

from kansa.appdb import ControlResult, Database, Run
from kansa.controls.direct import run_control
from kansa.controls.fixtures import quote_ident
from kansa.controls.model import Control
from kansa.controls.scoring import exception_keys
from kansa.engine.coverage import unseen_inputs, unseen_reason
from kansa.engine.result import NOT_TESTED
from kansa.engine.snapshot_view import snapshot_select
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault
from kansa.workspace import Workspace

Keys = dict[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Collected:
    """What a run (stored or direct) gives the score: keys, and the controls it cannot score."""

    source: str
    found: Keys
    errored: dict[str, str] = field(default_factory=dict)  # control id -> error
    not_tested: dict[str, str] = field(default_factory=dict)  # control id -> reason

    def scored_truth(self, ground_truth: Mapping[str, Any]) -> dict[str, Any]:
        """The ground truth a score is held to: the scored and the not-tested controls.

        A not-tested control with seeded violations counts them as missed (nothing was seen,
        so nothing may pass); an errored control is reported apart and fails the score.
        """
        return only_controls(ground_truth, set(self.found) | set(self.not_tested))


def only_controls(ground_truth: Mapping[str, Any], control_ids: Iterable[str]) -> dict[str, Any]:
    """The ground truth restricted to ``control_ids`` (a partial run is not charged for others)."""
    ids = set(control_ids)
    scenarios = [
        {**s, "violations": [v for v in s.get("violations", []) if v["control"] in ids]}
        for s in ground_truth.get("scenarios", [])
    ]
    return {**ground_truth, "scenarios": scenarios}


def _run_results(ws: Workspace, run_id: str | None) -> tuple[str, list[ControlResult]]:
    query = select(Run).where(Run.workspace == ws.config.name).order_by(Run.started_at.desc())
    if run_id:
        query = query.where(Run.id == run_id)
    with Database(ws.database_url) as db, db.session() as s:
        run = s.scalars(query.limit(1)).one_or_none()
        if run is None:
            raise KansaError(
                tr(
                    f"No run {run_id or ''} in this workspace.",
                    f"実行 {run_id or ''} はありません。",
                ),
                hint=tr("Run `kansa run` first.", "先に `kansa run` を実行してください。"),
            )
        return run.id, list(run.results)


def exceptions_from_run(
    ws: Workspace, catalog: Mapping[str, Control], run_id: str | None
) -> Collected:
    """The exception keys of a stored run; its errored and not-tested controls apart."""
    rid, results = _run_results(ws, run_id)
    out = Collected(f"run {rid}", {})
    for r in results:
        control = catalog.get(r.control_id)
        if r.status == NOT_TESTED:
            out.not_tested[r.control_id] = r.reason or ""
        elif r.status == "error" or not r.exceptions_file or control is None:
            out.errored[r.control_id] = r.error or ""
        else:
            table = pq.read_table(ws.vault_dir / r.exceptions_file, columns=list(control.key))
            out.found[r.control_id] = exception_keys(table, control.key)
    return out


def snapshot_connection(
    ws: Workspace, snapshots: Mapping[str, Snapshot] | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per dataset over its latest vault snapshot (UTC)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    latest = Vault(ws.vault_dir).latest_all() if snapshots is None else snapshots
    for name, snap in latest.items():
        files = [path for path, _ in snap.files]
        con.execute(f"CREATE VIEW {quote_ident(name)} AS {snapshot_select(con, name, files)}")
    return con


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The latest day of the customer ledger (else wallet balances), as the engine chooses."""
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    for name in ("customer_balances", "wallet_balances"):
        if name in views:
            day = con.execute(f"SELECT max(as_of) FROM {name}").fetchall()[0][0]
            if isinstance(day, dt.date):
                return day
    return dt.datetime.now(dt.UTC).date()


def exceptions_direct(
    ws: Workspace,
    catalog: Mapping[str, Control],
    as_of: dt.date | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[dt.date, Collected]:
    """(as-of date, what the catalog gives) straight from the latest snapshots.

    A control whose input holds no rows is not run: not tested, as the engine decides it.
    """
    snapshots = Vault(ws.vault_dir).latest_all()
    con = snapshot_connection(ws, snapshots)
    day = as_of or default_as_of(con)
    out = Collected(f"direct run as of {day}", {})
    for cid, control in catalog.items():
        unseen = unseen_inputs(list(control.datasets), snapshots)
        if unseen:
            out.not_tested[cid] = unseen_reason(unseen, snapshots)
            continue
        try:
            result = run_control(con, control, day, (overrides or {}).get(cid))
            out.found[cid] = exception_keys(result.exceptions, control.key)
        except Exception as exc:  # an erroring control is reported, never scored as a pass
            out.errored[cid] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return day, out
