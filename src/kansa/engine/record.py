"""Copy a committed run's summary into the app database (the evidence stays in the vault).

:func:`run_from_entry` reads a run back from its ledger entry: the ledger holds everything the
app database keeps, so a run the database missed can be rebuilt from it
(:mod:`kansa.findings.reconcile`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kansa.appdb import ControlResult, Database, Run, RunAreaSummary
from kansa.engine.evidence import exceptions_path
from kansa.engine.result import ControlOutcome, RunResult
from kansa.vault import LedgerEntry


def area_summaries(run: RunResult) -> list[RunAreaSummary]:
    """The run's verdicts counted per (area, owner), as the overview's heat map shows them."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for o in run.outcomes:
        n = counts.setdefault((o.area, o.owner), {"pass": 0, "fail": 0, "error": 0, "other": 0})
        n[o.status if o.status in n else "other"] += 1
    return [
        RunAreaSummary(area=area, owner=owner, passed=n["pass"], failed=n["fail"],
                       errored=n["error"], other=n["other"])
        for (area, owner), n in sorted(counts.items())
    ]  # fmt: skip


def record_run(db: Database, run: RunResult) -> None:
    """Insert one ``runs`` row and one ``control_results`` row per control."""
    with db.session() as s:
        s.add(run_row(run))


def run_row(run: RunResult) -> Run:
    """The ``runs`` row of ``run`` with its ``control_results`` rows (not yet added)."""
    row = Run(
        id=run.run_id,
        workspace=run.workspace,
        as_of=run.as_of,
        started_at=run.started_at,
        finished_at=run.finished_at,
        engine=run.engine,
        actor=run.actor,
        controls_total=len(run.outcomes),
        passed=run.passed,
        failed=run.failed,
        errored=run.errored,
        not_tested=run.not_tested,
        incomplete=run.incomplete,
        overrides=run.overrides,
        ledger_seq=run.ledger_seq,
        ledger_hash=run.ledger_hash,
    )
    row.results = [
        ControlResult(
            control_id=o.control_id,
            control_version=o.version,
            version_hash=o.version_hash,
            severity=o.severity,
            status=o.status,
            parameters=o.parameters,
            snapshots=o.snapshots,
            engine=o.engine,
            population_count=o.population_count,
            exception_count=o.exception_count,
            error=o.error,
            duration_s=o.duration_s,
            exceptions_file=o.exceptions_file,
            exceptions_sha256=o.exceptions_sha256,
            reason=o.reason,
            coverage=o.coverage,
        )
        for o in run.outcomes
    ]
    row.area_summaries = area_summaries(run)
    return row


def _outcome(run_id: str, d: dict[str, Any], outputs: dict[str, str]) -> ControlOutcome:
    rel = exceptions_path(run_id, d["control_id"])
    committed = rel in outputs  # as commit_run does: only files the entry holds are linked
    return ControlOutcome(
        control_id=d["control_id"],
        version=d["version"],
        version_hash=d["version_hash"],
        severity=d["severity"],
        area=d["area"],
        owner=d["owner"],
        key=tuple(d["key"]),
        parameters=d["parameters"],
        snapshots=d["snapshots"],
        engine=d["engine"],
        status=d["status"],
        population_count=d["population"],
        exception_count=d["exceptions"],
        duration_s=d["duration_s"],
        error=d.get("error"),
        exceptions_file=rel if committed else None,
        exceptions_sha256=outputs[rel] if committed else None,
    )


def run_from_entry(entry: LedgerEntry) -> RunResult:
    """The committed run a ``run`` ledger entry records (the inverse of ``commit_run``)."""
    p = entry.payload
    return RunResult(
        run_id=p["run_id"],
        workspace=p["workspace"],
        as_of=dt.date.fromisoformat(p["as_of"]),
        started_at=dt.datetime.fromisoformat(p["started_at"]),
        finished_at=dt.datetime.fromisoformat(p["finished_at"]),
        engine=p["engine"],
        actor=p["actor"],
        overrides=p["overrides"],
        outcomes=tuple(_outcome(p["run_id"], d, entry.outputs) for d in p["results"]),
        ledger_seq=entry.seq,
        ledger_hash=entry.hash,
    )
