"""``run_controls``: every chosen control, in parallel, on the latest snapshots, as one run."""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kansa.appdb import Database
from kansa.contracts.assets import format_chains
from kansa.controls import Control
from kansa.controls.views import builtin_views
from kansa.engine import parameters as params
from kansa.engine.coverage import judge, not_tested, unseen_inputs
from kansa.engine.engines import EngineSession, open_engine
from kansa.engine.evidence import check_inputs, commit_run
from kansa.engine.execute import Job
from kansa.engine.quality import load_warnings
from kansa.engine.record import record_run
from kansa.engine.result import ERROR, ControlOutcome, RunResult
from kansa.engine.signals import InterruptedAfterCommit, sigint_deferred
from kansa.engine.watchdog import Watchdog
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault
from kansa.vault.actor import checked_actor
from kansa.vault.ledger import current_actor
from kansa.workspace import Workspace

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT_S = 300.0  # per control; the whole 58-control catalog takes ~4 s on 35M rows


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
    return [
        Job(
            control=c,
            parameters=params.resolve(c, _workspace_params(ws, c), overrides.get(c.id)),
            as_of=as_of,
            output=staging / f"{c.id}.parquet",
            tz=ws.config.day_zone,
        )
        for c in controls
    ]


def _check_overrides(ws: Workspace, controls: list[Control], overrides: params.Overrides) -> None:
    by_id = {c.id: c for c in controls}
    params.check_control_ids(overrides, by_id, "--param")
    for c in controls:  # fail before any work, not half way through a run
        params.resolve(c, _workspace_params(ws, c), overrides.get(c.id))


def _workspace_params(ws: Workspace, c: Control) -> Mapping[str, Any] | None:
    """``[controls.parameters.ID]``, plus the ``[chains]`` registry for controls that read
    addresses (a ``chains`` parameter): one place in kansa.toml declares a chain for all."""
    own = ws.config.control_parameters.get(c.id)
    chains = ws.config.chains
    if "chains" not in c.parameters or not chains or (own and "chains" in own):
        return own
    return {**(own or {}), "chains": format_chains(chains)}


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


def timed_out(outcome: ControlOutcome, limit: float) -> ControlOutcome:
    """The outcome of a control its time limit interrupted: an ERROR saying so."""
    n = f"{limit:g}"
    reason = tr(
        f"timed out after {n} s (the per-control time limit); the query was interrupted",
        f"{n} 秒で時間切れ（コントロールごとの制限時間）。クエリを中断しました",
    )
    return replace(outcome, status=ERROR, error=reason, exception_count=None, staged=None)


def _execute_all(
    session: EngineSession,
    jobs: list[Job],
    snapshots: Mapping[str, Snapshot],
    workers: int,
    progress: bool,
    watchdog: Watchdog,
    period_start: dt.date | None = None,
) -> list[ControlOutcome]:
    bar, tick = _progress(progress, len(jobs))

    def one(job: Job) -> ControlOutcome:
        inputs = list(job.control.datasets)
        unseen = unseen_inputs(inputs, snapshots)
        if unseen:  # coverage before verdicts: never run on data that was not seen
            outcome = not_tested(job, unseen, snapshots, session.name)
            tick(outcome)
            return outcome
        outcome, clock = session.run(job, watchdog)
        if clock.expired and outcome.status == ERROR and watchdog.limit is not None:
            outcome = timed_out(outcome, watchdog.limit)
        outcome = judge(outcome, inputs, snapshots, period_start, job.as_of)
        tick(outcome)
        return outcome

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    futures = [pool.submit(one, job) for job in jobs]
    try:
        with bar:
            wait(futures)
    except BaseException:  # Ctrl-C: stop every query, start no other, leave nothing running
        _stop(watchdog, futures)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [f.result() for f in futures]


def _stop(watchdog: Watchdog, futures: list[Future[ControlOutcome]]) -> None:
    for f in futures:
        f.cancel()
    while True:
        watchdog.stop()  # again each time: a control may have started its next query
        _, running = wait(futures, timeout=0.2)
        if not running:
            return


def run_controls(
    workspace: Workspace,
    controls: Iterable[Control],
    *,
    as_of: dt.date | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = True,
    workers: int = DEFAULT_WORKERS,
    record: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    period_start: dt.date | None = None,
    snapshots: Mapping[str, Snapshot] | None = None,
    replay_of: str | None = None,
    engine: str | None = None,
    actor: str | None = None,
) -> RunResult:
    """Run ``controls`` read-only against the latest snapshots and commit the run.

    Returns the committed :class:`RunResult`: one ledger entry in the vault with every
    control's exception rows; with ``record`` its summary is also written to the app database
    (findings are updated from there by :func:`kansa.findings.apply_run`).

    ``timeout``: seconds each control may run (``None``: no limit); a control over its limit
    is interrupted and recorded as an ERROR, the others are committed as usual. Ctrl-C
    (``KeyboardInterrupt``) interrupts every running query and commits nothing; once the
    commit has begun it is held back until the run is fully recorded, then raised as
    :class:`~kansa.engine.signals.InterruptedAfterCommit` carrying the committed run.
    ``period_start`` is the first day of the tested period (coverage, see
    :mod:`kansa.engine.coverage`). ``snapshots`` (with ``replay_of``, the run re-performed)
    runs on recorded snapshots instead of the latest ones. ``engine``: ``duckdb`` or
    ``spark`` (default: ``[run] engine`` of kansa.toml); the run records its name and version.
    ``actor``: the person the run's ledger entry names (the web app's signed-in user, checked
    like ``$KANSA_ACTOR``); default :func:`current_actor`.
    """
    chosen = sorted(controls, key=lambda c: c.id)
    overrides = {k: dict(v) for k, v in (parameters or {}).items()}
    _check_overrides(workspace, chosen, overrides)
    vault = Vault(workspace.vault_dir)
    snapshots = dict(snapshots) if snapshots is not None else vault.latest_all()
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
        session = open_engine(
            engine or workspace.config.engine,
            workspace,
            staging,
            snapshots,
            outputs,
            builtin_views(),
            as_of,
        )
        try:
            run_as_of = session.as_of
            jobs = _jobs(workspace, chosen, overrides, run_as_of, staging)
            watchdog = Watchdog(timeout)
            outcomes = _execute_all(
                session, jobs, snapshots, workers, progress, watchdog, period_start
            )
        finally:
            session.close()
        check_inputs(snapshots, during_run=True)  # no control may have changed what it read
        run = RunResult(
            run_id=new_run_id(started),
            workspace=workspace.config.name,
            as_of=run_as_of,
            started_at=started,
            finished_at=dt.datetime.now(dt.UTC),
            engine=session.name,
            actor=checked_actor(actor) if actor is not None else current_actor(),
            overrides=overrides,
            outcomes=tuple(outcomes),
            timezone=workspace.config.day_zone,
            period_start=period_start,
            warnings=load_warnings(snapshots),
            replay_of=replay_of,
            exceptions_root=session.exceptions_root,
        )
        with sigint_deferred() as held:  # all of it or none of it: never a half-committed run
            run = commit_run(vault, run)
            if db is not None:
                with db:
                    record_run(db, run)
            session.publish(run, vault.root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if held.received:
        raise InterruptedAfterCommit(run)
    return run
