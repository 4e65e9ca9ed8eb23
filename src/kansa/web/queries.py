"""What the pages and the JSON API show, read through the same functions as the CLI.

Runs and results come from the app database (as ``kansa runs`` / ``kansa results``), findings
from :func:`kansa.findings.queries.list_findings` (as ``kansa findings``), snapshots from the
vault (as ``kansa datasets``), exception rows from :mod:`kansa.engine.exceptions` (as
``kansa results --rows``). A control owner sees only the controls whose ``owner`` is their unit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload, load_only

from kansa.appdb import ControlResult, Finding, LatestResult, Run, RunAreaSummary
from kansa.controls.model import Control
from kansa.findings.queries import list_findings
from kansa.web import ledger_index
from kansa.web.context import AppContext
from kansa.web.principal import Principal, scope_of
from kansa.web.roles import CONTROL_OWNER


def visible_controls(ctx: AppContext, who: Principal) -> dict[str, Control]:
    if who.role == CONTROL_OWNER:
        return {k: c for k, c in ctx.catalog.items() if c.owner == who.unit}
    return dict(ctx.catalog)


def can_see_control(ctx: AppContext, who: Principal, control_id: str) -> bool:
    return control_id in visible_controls(ctx, who)


def last_runs(ctx: AppContext, limit: int = 10) -> list[Run]:
    with ctx.db.session() as s:
        return list(
            s.scalars(
                select(Run)
                .where(Run.workspace == ctx.workspace.config.name)
                .order_by(Run.started_at.desc())
                .limit(limit)
            )
        )


# what the overview and the catalog show of a result (not its parameters, snapshots, coverage)
LATEST_COLUMNS = (ControlResult.run_id, ControlResult.control_id, ControlResult.status,
                  ControlResult.exception_count, ControlResult.population_count,
                  ControlResult.severity)  # fmt: skip


def latest_results(ctx: AppContext) -> dict[str, ControlResult]:
    """The newest result of each control (from the newest run that ran it): one row per
    control through ``latest_results``, kept with every result written
    (:mod:`kansa.appdb.latest`), however many runs there are; computed again only once the
    database changed (:mod:`kansa.web.memo`)."""
    return ctx.memo.get(("latest_results",), lambda: _latest_results(ctx))


def _latest_results(ctx: AppContext) -> dict[str, ControlResult]:
    with ctx.db.session() as s:
        rows = s.scalars(
            select(ControlResult)
            .options(load_only(*LATEST_COLUMNS))  # not the JSON columns: decoding them cost most
            .join(
                LatestResult,
                (LatestResult.run_id == ControlResult.run_id)
                & (LatestResult.control_id == ControlResult.control_id),
            )
            .where(LatestResult.workspace == ctx.workspace.config.name)
        )
        return {r.control_id: r for r in rows}


HISTORY_RUN = (Run.id, Run.as_of, Run.started_at)
HISTORY_RESULT = (ControlResult.run_id, ControlResult.control_id, ControlResult.status,
                  ControlResult.exception_count, ControlResult.population_count,
                  ControlResult.exceptions_file)  # fmt: skip


def history(ctx: AppContext, control_id: str, limit: int = 60) -> list[tuple[Run, ControlResult]]:
    """The control's newest ``limit`` results with their runs: only the columns the pages
    show are loaded (a result's parameters, snapshots and coverage are not); computed again
    only once the database changed (:mod:`kansa.web.memo`)."""
    return ctx.memo.get(("history", control_id, limit), lambda: _history(ctx, control_id, limit))


def _history(ctx: AppContext, control_id: str, limit: int) -> list[tuple[Run, ControlResult]]:
    with ctx.db.session() as s:
        rows = s.execute(
            select(Run, ControlResult)
            .options(load_only(*HISTORY_RUN), load_only(*HISTORY_RESULT))
            .join(ControlResult)
            .where(
                Run.workspace == ctx.workspace.config.name, ControlResult.control_id == control_id
            )
            .order_by(Run.started_at.desc())
            .limit(limit)
        )
        return [(run, res) for run, res in rows]


def result_of(ctx: AppContext, control_id: str, run_id: str | None) -> ControlResult | None:
    """The control's result in run ``run_id`` (else its newest), kept until the database
    changes (:mod:`kansa.web.memo`): every page of an exceptions explorer asks for it."""
    return ctx.memo.get(
        ("result_of", control_id, run_id), lambda: _result_of(ctx, control_id, run_id)
    )


def _result_of(ctx: AppContext, control_id: str, run_id: str | None) -> ControlResult | None:
    query = (
        select(ControlResult)
        .join(Run)
        .where(Run.workspace == ctx.workspace.config.name, ControlResult.control_id == control_id)
        .order_by(Run.started_at.desc())
        .limit(1)
    )
    if run_id:
        query = query.where(Run.id == run_id)
    with ctx.db.session() as s:
        return s.scalars(query).one_or_none()


def findings(ctx: AppContext, who: Principal, status: str | None = None) -> list[Finding]:
    seen = visible_controls(ctx, who)
    rows = list_findings(ctx.db, ctx.workspace.config.name, status=status)
    return [f for f in rows if f.control_id in seen]


def _open_findings(ctx: AppContext, who: Principal) -> list[Finding]:
    """The open findings the caller may see, without their events (the overview counts them
    by rating and age; :func:`findings` loads every event, thousands after a year of runs)."""
    seen = visible_controls(ctx, who)
    with ctx.db.session() as s:
        rows = s.scalars(
            select(Finding)
            .options(lazyload(Finding.events))  # never loaded: the overview does not read them
            .where(Finding.workspace == ctx.workspace.config.name, Finding.status == "open")
        )
        return [f for f in rows if f.control_id in seen]


@dataclass(frozen=True)
class AreaHealth:
    area: str
    passed: int
    failed: int
    errored: int
    not_run: int


def overview(ctx: AppContext, who: Principal) -> dict[str, Any]:
    """Control health by area, open findings by rating and age, last runs, the last
    verification. What comes from the app database is kept per scope until it changes
    (:mod:`kansa.web.memo`); the findings' ages and the verification are read each time."""
    data = ctx.memo.get(("overview", scope_of(who)), lambda: _overview_from_db(ctx, who))
    verify = ctx.last_verify()
    from kansa.web.accounts import now_utc

    return {
        **data,
        "findings_by_age": findings_by_age(data["open_list"], now_utc()),
        "last_verify": None if verify is None else {
            "time": verify.time, "by": verify.actor, **verify.payload
        },
    }  # fmt: skip


def _overview_from_db(ctx: AppContext, who: Principal) -> dict[str, Any]:
    controls = visible_controls(ctx, who)
    latest = latest_results(ctx)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for cid, c in controls.items():
        res = latest.get(cid)
        counts[c.area][res.status if res else "not_run"] += 1
    areas = [
        AreaHealth(a, n["pass"], n["fail"], n["error"], n["not_run"])
        for a, n in sorted(counts.items())
    ]
    open_findings = _open_findings(ctx, who)
    runs = last_runs(ctx, HEAT_DAYS)
    return {
        "heat": heat_map(ctx, who, runs=runs),
        "areas": areas,
        "findings_by_rating": dict(Counter(f.rating for f in open_findings)),
        "open_findings": len(open_findings),
        "open_list": open_findings,
        "runs": runs[:5],
    }


HEAT_DAYS = 14


def heat_map(
    ctx: AppContext, who: Principal, days: int = HEAT_DAYS, runs: list[Run] | None = None
) -> dict[str, Any]:
    """Failing share of each area's controls, per run day (newest ``days`` runs), as 0-3.

    Read from the runs' area summaries (written with each run); a run recorded before they
    existed is counted from its results. ``runs``: the newest runs, newest first, when the
    caller has them already (:func:`last_runs`)."""
    runs = (last_runs(ctx, days) if runs is None else runs[:days])[::-1]
    controls = visible_controls(ctx, who)
    cells = _summary_cells(ctx, who, [r.id for r in runs])
    summarised = {run for _area, run in cells}
    missing = [r.id for r in runs if r.id not in summarised]
    cells.update(_result_cells(ctx, controls, missing))
    areas = sorted({c.area for c in controls.values()})
    grid = []
    for area in areas:
        row = []
        for r in runs:
            n = cells.get((area, r.id), Counter())
            total, bad = sum(n.values()), n["fail"] + n["error"]
            level = None if total == 0 else min(3, -(-bad * 3 // total))
            row.append({"run": r.id, "fail": bad, "total": total, "level": level})
        grid.append((area, row))
    return {"days": [str(r.as_of) for r in runs], "grid": grid}


Cells = dict[tuple[str, str], Counter[str]]


def _summary_cells(ctx: AppContext, who: Principal, run_ids: list[str]) -> Cells:
    cells: Cells = defaultdict(Counter)
    if not run_ids:
        return cells
    query = select(
        RunAreaSummary.area, RunAreaSummary.run_id, RunAreaSummary.passed,
        RunAreaSummary.failed, RunAreaSummary.errored, RunAreaSummary.other,
    ).where(RunAreaSummary.run_id.in_(run_ids))  # plain rows: no ORM object per cell  # fmt: skip
    if who.role == CONTROL_OWNER:  # only the controls of their unit, as visible_controls
        query = query.where(RunAreaSummary.owner == (who.unit or ""))
    with ctx.db.session() as s:
        for area, run_id, passed, failed, errored, other in s.execute(query):
            n = cells[(area, run_id)]
            n.update({"pass": passed, "fail": failed, "error": errored, "other": other})
    return cells


def _result_cells(ctx: AppContext, controls: dict[str, Control], run_ids: list[str]) -> Cells:
    cells: Cells = defaultdict(Counter)
    if not run_ids:
        return cells
    with ctx.db.session() as s:
        rows = s.execute(
            select(ControlResult.run_id, ControlResult.control_id, ControlResult.status).where(
                ControlResult.run_id.in_(run_ids)
            )
        )
        for run_id, cid, status in rows:
            if cid in controls:
                cells[(controls[cid].area, run_id)][status] += 1
    return cells


AGE_BUCKETS = ((30, "0-30"), (90, "31-90"), (365, "91-365"))


def findings_by_age(open_findings: list[Finding], now: Any) -> dict[str, int]:
    """Open findings by days since first seen (the ageing buckets of an audit tracker)."""
    out = {label: 0 for _, label in AGE_BUCKETS} | {">365": 0}
    for f in open_findings:
        age = (now - f.first_seen_at).days
        label = next((lbl for limit, lbl in AGE_BUCKETS if age <= limit), ">365")
        out[label] += 1
    return out


def catalog_rows(
    ctx: AppContext, who: Principal, filters: dict[str, str | None]
) -> list[tuple[Control, ControlResult | None]]:
    latest = latest_results(ctx)
    rows = []
    for cid, c in sorted(visible_controls(ctx, who).items()):
        res = latest.get(cid)
        status = res.status if res else "not_run"
        if filters.get("area") and c.area != filters["area"]:
            continue
        if filters.get("severity") and c.severity != filters["severity"]:
            continue
        if filters.get("status") and status != filters["status"]:
            continue
        if filters.get("framework") and filters["framework"] not in c.frameworks:
            continue
        rows.append((c, res))
    return rows


def datasets(ctx: AppContext) -> list[dict[str, Any]]:
    """Every committed snapshot, newest first (dataset, rows, SHA-256, ledger entry)."""
    return [
        {"dataset": s.dataset, "rows": s.rows, "sha256": s.sha256, "seq": s.seq,
         "time": s.time, "contract_version": s.contract_version}
        for s in reversed(ctx.vault.snapshots())
    ]  # fmt: skip


def exceptions_path(ctx: AppContext, result: ControlResult) -> Path | None:
    return ctx.vault.evidence_path(result.exceptions_file) if result.exceptions_file else None


def reports(ctx: AppContext) -> list[dict[str, Any]]:
    """Every filed report (``kansa report``), newest first: ledger entry, format, file, hash."""
    out = []
    for e in ledger_index.of(ctx.vault.ledger.path).entries():
        if e.kind != "report":
            continue
        for rel, digest in e.outputs.items():
            out.append({"seq": e.seq, "time": e.time, "by": e.actor, "file": rel,
                        "sha256": digest, "format": e.payload.get("format"),
                        "language": e.payload.get("language")})  # fmt: skip
    return out[::-1]
