"""Run summaries written with the run: verdicts per area and owner, each control's newest run
(migration 0006_run_summary fills the latter for runs recorded before it)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from alembic import command
from sqlalchemy import select, text

from kansa.appdb import (
    ControlResult,
    Database,
    LatestResult,
    RunAreaSummary,
    head_revision,
    make_engine,
    upgrade,
)
from kansa.appdb.database import _alembic_config
from kansa.engine.record import run_row
from kansa.engine.result import ControlOutcome, RunResult

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def _outcome(cid: str, area: str, owner: str, status: str) -> ControlOutcome:
    return ControlOutcome(control_id=cid, version=1, version_hash="h" * 64, severity="high",
                          area=area, owner=owner, key=("id",), parameters={}, snapshots={},
                          engine="duckdb", status=status, population_count=10,
                          exception_count=1 if status == "fail" else 0, duration_s=0.1)  # fmt: skip


def _run(run_id: str, started: dt.datetime, outcomes: list[ControlOutcome]) -> RunResult:
    return RunResult(run_id=run_id, workspace="ws", as_of=started.date(), started_at=started,
                     finished_at=started, engine="duckdb", actor="tester",
                     outcomes=outcomes, overrides={})  # fmt: skip


OUTCOMES = [
    _outcome("ACC-001", "access", "security", "pass"),
    _outcome("ACC-002", "access", "security", "fail"),
    _outcome("ACC-003", "access", "hr", "error"),
    _outcome("WDR-001", "withdrawals", "treasury", "not_tested"),
    _outcome("WDR-002", "withdrawals", "treasury", "fail"),
]


def test_a_run_is_written_with_its_counts_per_area_and_owner(database_url: str) -> None:
    with Database(database_url) as db:
        with db.session() as s:
            s.add(run_row(_run("R1", T0, OUTCOMES)))
        with db.session() as s:
            rows = {(r.area, r.owner): (r.passed, r.failed, r.errored, r.other)
                    for r in s.scalars(select(RunAreaSummary).where(RunAreaSummary.run_id == "R1"))}  # fmt: skip
            statuses = Counter(s.scalars(select(ControlResult.status)))
    assert rows == {
        ("access", "security"): (1, 1, 0, 0),
        ("access", "hr"): (0, 0, 1, 0),
        ("withdrawals", "treasury"): (0, 1, 0, 1),
    }
    assert sum(sum(v) for v in rows.values()) == sum(statuses.values()) == len(OUTCOMES)


def _latest(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {r.control_id: r.run_id for r in s.scalars(select(LatestResult))}


def test_each_controls_newest_run_follows_the_runs_whatever_order_they_are_stored_in(
    database_url: str,
) -> None:
    day = dt.timedelta(days=1)
    with Database(database_url) as db:
        with db.session() as s:
            s.add(run_row(_run("R2", T0 + day, OUTCOMES)))
        assert set(_latest(db).values()) == {"R2"} and len(_latest(db)) == len(OUTCOMES)
        with db.session() as s:  # an older run stored later (a reconcile): moves nothing
            s.add(run_row(_run("R1", T0, OUTCOMES)))
        assert set(_latest(db).values()) == {"R2"}
        with db.session() as s:  # a newer run of two controls only moves those two
            s.add(run_row(_run("R3", T0 + 2 * day, OUTCOMES[:2])))
        assert _latest(db) == {"ACC-001": "R3", "ACC-002": "R3", "ACC-003": "R2",
                               "WDR-001": "R2", "WDR-002": "R2"}  # fmt: skip
        with db.session() as s:  # a result added on its own to an existing run counts too
            s.add(ControlResult(run_id="R3", control_id="WDR-003", control_version=1,
                                version_hash="h", severity="high", status="pass", parameters={},
                                snapshots={}, engine="duckdb", duration_s=0.0))  # fmt: skip
        assert _latest(db)["WDR-003"] == "R3"


def test_the_migration_points_each_control_at_its_newest_run(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0004_workflow")
        with engine.begin() as conn:
            for rid, when in (("R1", "2026-11-20 09:00:00+00"), ("R2", "2026-11-21 09:00:00+00"),
                              ("R0", "2026-11-19 09:00:00+00")):  # fmt: skip
                conn.execute(text(
                    "INSERT INTO runs (id, workspace, as_of, started_at, finished_at, engine,"
                    " actor, controls_total, passed, failed, errored, overrides) VALUES (:id,"
                    " 'ws', '2026-11-20', :t, :t, 'duckdb', 'tester', 1, 0, 1, 0, '{}')"
                ), {"id": rid, "t": when})  # fmt: skip
            for rid, cid in (("R1", "A"), ("R2", "A"), ("R1", "B"), ("R0", "B"), ("R0", "C")):
                conn.execute(text(
                    "INSERT INTO control_results (run_id, control_id, control_version,"
                    " version_hash, severity, status, parameters, snapshots, engine, duration_s)"
                    " VALUES (:r, :c, 1, 'h', 'high', 'fail', '{}', '{}', 'duckdb', 0)"
                ), {"r": rid, "c": cid})  # fmt: skip
        assert upgrade(database_url) == head_revision()
        with Database(database_url) as db:
            assert _latest(db) == {"A": "R2", "B": "R1", "C": "R0"}
    finally:
        engine.dispose()
