"""Where the exception keys that :func:`kansa.controls.scoring.score` compares come from.

Either a stored run (its exception Parquet files in the vault, named in the app database), or a
direct execution of the catalog on the workspace's latest snapshots (no run is recorded: a
catalog author's quick check, independent of the engine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pyarrow.parquet as pq
from sqlalchemy import select

from kansa.appdb import ControlResult, Database, Run
from kansa.controls.direct import run_control
from kansa.controls.fixtures import quote_ident
from kansa.controls.model import Control
from kansa.controls.scoring import exception_keys
from kansa.engine.snapshot_view import snapshot_select
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.workspace import Workspace

Keys = dict[str, list[dict[str, str]]]


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
) -> tuple[str, Keys, list[str]]:
    """(run id, control id -> exception keys, errored controls) of a stored run."""
    rid, results = _run_results(ws, run_id)
    found: Keys = {}
    errored = []
    for r in results:
        control = catalog.get(r.control_id)
        if r.status == "error" or not r.exceptions_file or control is None:
            errored.append(r.control_id)
            continue
        table = pq.read_table(ws.vault_dir / r.exceptions_file, columns=list(control.key))
        found[r.control_id] = exception_keys(table, control.key)
    return rid, found, errored


def snapshot_connection(ws: Workspace) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per dataset over its latest vault snapshot (UTC)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for name, snap in Vault(ws.vault_dir).latest_all().items():
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
) -> tuple[dt.date, Keys, dict[str, str]]:
    """(as-of date, control id -> exception keys, control id -> error) straight from snapshots."""
    con = snapshot_connection(ws)
    day = as_of or default_as_of(con)
    found: Keys = {}
    errors: dict[str, str] = {}
    for cid, control in catalog.items():
        try:
            result = run_control(con, control, day, (overrides or {}).get(cid))
            found[cid] = exception_keys(result.exceptions, control.key)
        except Exception as exc:  # an erroring control is reported, never scored as a pass
            errors[cid] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return day, found, errors
