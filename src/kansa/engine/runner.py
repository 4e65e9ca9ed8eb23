"""``run_controls``: every chosen control, in parallel, on the latest snapshots, as one run."""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kansa.appdb import Database
from kansa.contracts import load_contracts
from kansa.controls import Control
from kansa.controls.views import builtin_views
from kansa.engine import parameters as params
from kansa.engine.evidence import check_inputs, commit_run
from kansa.engine.execute import Job, execute
from kansa.engine.record import record_run
from kansa.engine.result import ControlOutcome, RunResult
from kansa.engine.sandbox import ENGINE_NAME, available_views, open_sandbox
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault
from kansa.vault.ledger import current_actor
from kansa.workspace import Workspace

DEFAULT_WORKERS = 2


def new_run_id(now: dt.datetime) -> str:
    """Sortable by time, unique: ``20261120T093012Z-3f9a1c``."""
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def _jobs(
    ws: Workspace,
    controls: list[Control],
    overrides: Mapping[str, Mapping[str, Any]],
    as_of: dt.date,
    staging: Path,
) -> list[Job]:
    workspace_params = ws.config.control_parameters
    return [
        Job(
            control=c,
            parameters=params.resolve(c, workspace_params.get(c.id), overrides.get(c.id)),
            as_of=as_of,
            output=staging / f"{c.id}.parquet",
        )
        for c in controls
    ]


def _check_overrides(ws: Workspace, controls: list[Control], overrides: params.Overrides) -> None:
    by_id = {c.id: c for c in controls}
    params.check_control_ids(overrides, by_id, "--param")
    for c in controls:  # fail before any work, not half way through a run
        params.resolve(c, ws.config.control_parameters.get(c.id), overrides.get(c.id))


def _progress(enabled: bool, total: int) -> tuple[Any, Callable[[ControlOutcome], None]]:
    if not enabled:
        return nullcontext(), lambda _o: None
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(tr("Running controls", "コントロール実行中"), total=total, last="")
    return bar, lambda o: bar.update(task, advance=1, last=f"{o.control_id} {o.status}")


def _execute_all(
    con: duckdb.DuckDBPyConnection,
    jobs: list[Job],
    snapshots: Mapping[str, Snapshot],
    views: Mapping[str, frozenset[str]],
    workers: int,
    progress: bool,
) -> list[ControlOutcome]:
    known = set(load_contracts())
    bar, tick = _progress(progress, len(jobs))

    def one(job: Job) -> ControlOutcome:
        cur = con.cursor()  # one cursor per control: DuckDB cursors are per-thread
        try:
            outcome = execute(cur, job, snapshots, known, views)
        finally:
            cur.close()
        tick(outcome)
        return outcome

    with bar, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, jobs))


def run_controls(
    workspace: Workspace,
    controls: Iterable[Control],
    *,
    as_of: dt.date | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = True,
    workers: int = DEFAULT_WORKERS,
    record: bool = True,
) -> RunResult:
    """Run ``controls`` read-only against the latest snapshots and commit the run.

    Returns the committed :class:`RunResult`: one ledger entry in the vault with every
    control's exception rows; with ``record`` its summary is also written to the app database
    (findings are updated from there by :func:`kansa.findings.apply_run`).
    """
    chosen = sorted(controls, key=lambda c: c.id)
    overrides = {k: dict(v) for k, v in (parameters or {}).items()}
    _check_overrides(workspace, chosen, overrides)
    vault = Vault(workspace.vault_dir)
    snapshots = vault.latest_all()
    if not snapshots:
        raise KansaError(
            tr("The vault holds no data yet.", "ボールトにデータがありません。"),
            hint=tr("Ingest datasets first: `kansa ingest`.", "先に `kansa ingest` してください。"),
        )
    check_inputs(snapshots)
    db = Database(workspace.database_url) if record else None  # fail early if unreachable
    started = dt.datetime.now(dt.UTC)
    staging = vault.staging_dir()
    try:
        outputs = [staging / f"{c.id}.parquet" for c in chosen]
        shared = builtin_views()
        con, run_as_of = open_sandbox(
            staging,
            snapshots,
            outputs,
            memory_limit=workspace.config.memory_limit,
            threads=workspace.config.threads,
            views=shared,
            as_of=as_of,
        )
        try:
            jobs = _jobs(workspace, chosen, overrides, run_as_of, staging)
            views = available_views(shared, snapshots)
            outcomes = _execute_all(con, jobs, snapshots, views, workers, progress)
        finally:
            con.close()
        run = RunResult(
            run_id=new_run_id(started),
            workspace=workspace.config.name,
            as_of=run_as_of,
            started_at=started,
            finished_at=dt.datetime.now(dt.UTC),
            engine=ENGINE_NAME,
            actor=current_actor(),
            overrides=overrides,
            outcomes=tuple(outcomes),
        )
        run = commit_run(vault, run)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if db is not None:
        with db:
            record_run(db, run)
    return run
