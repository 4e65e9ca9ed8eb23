"""Copy a committed run's summary into the app database (the evidence stays in the vault)."""

from __future__ import annotations

from kansa.appdb import ControlResult, Database, Run
from kansa.engine.result import RunResult


def record_run(db: Database, run: RunResult) -> None:
    """Insert one ``runs`` row and one ``control_results`` row per control."""
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
        )
        for o in run.outcomes
    ]
    with db.session() as s:
        s.add(row)
