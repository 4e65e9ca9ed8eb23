"""Change counters (migration 0010_webperf_changes): every insert, update and delete on a
watched table moves its counter, through the ORM or a hand-typed statement, on SQLite and on a
real PostgreSQL; a write elsewhere does not; and every watched table still counts at the
newest revision (a later migration that rebuilt one would have dropped its triggers)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from kansa.appdb import Database, Finding
from kansa.appdb.changes import WATCHED, Stamp, stamp
from kansa.engine.record import run_row
from kansa.engine.result import ControlOutcome, RunResult

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def _run(run_id: str) -> RunResult:
    outcome = ControlOutcome(control_id="ACC-001", version=1, version_hash="h" * 64,
                             severity="high", area="access", owner="security", key=("id",),
                             parameters={}, snapshots={}, engine="duckdb", status="fail",
                             population_count=10, exception_count=1, duration_s=0.1)  # fmt: skip
    return RunResult(run_id=run_id, workspace="ws", as_of=T0.date(), started_at=T0,
                     finished_at=T0, engine="duckdb", actor="tester", outcomes=[outcome],
                     overrides={})  # fmt: skip


def _moved(before: Stamp, after: Stamp) -> set[str]:
    return {name for (name, a), (_n, b) in zip(before, after, strict=True) if a != b}


def test_each_write_to_a_watched_table_moves_its_counter(database_url: str) -> None:
    with Database(database_url) as db:
        s0 = stamp(db.engine)
        assert {name for name, _ in s0} == set(WATCHED)
        with db.session() as s:
            s.add(run_row(_run("R1")))  # a run with its result, summary and latest pointer
        s1 = stamp(db.engine)
        assert _moved(s0, s1) == {"runs", "control_results", "latest_results",
                                  "run_area_summaries"}  # fmt: skip
        with db.session() as s:
            s.add(Finding(workspace="ws", control_id="ACC-001", scope="", severity="high",
                          rating="significant_deficiency", status="open", repeat=False,
                          owner="security", first_seen_run_id="R1", last_seen_run_id="R1",
                          first_seen_at=T0, last_seen_at=T0, occurrences=1,
                          exception_count=1))  # fmt: skip
        s2 = stamp(db.engine)
        assert _moved(s1, s2) == {"findings"}
        with db.engine.begin() as conn:  # by hand, as another tool would
            conn.execute(text("UPDATE findings SET rating = 'deficiency'"))
        s3 = stamp(db.engine)
        assert _moved(s2, s3) == {"findings"}
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE runs SET actor = 'someone'"))
            conn.execute(text("UPDATE control_results SET status = 'pass'"))
            conn.execute(text("UPDATE latest_results SET started_at = started_at"))
            conn.execute(text("UPDATE run_area_summaries SET failed = 0"))
        s4 = stamp(db.engine)
        assert _moved(s3, s4) == set(WATCHED) - {"findings"}
        with db.engine.begin() as conn:
            for table in ("findings", "latest_results", "run_area_summaries",
                          "control_results", "runs"):  # fmt: skip
                conn.execute(text(f"DELETE FROM {table}"))
        assert _moved(s4, stamp(db.engine)) == set(WATCHED)


def test_a_write_elsewhere_moves_nothing(database_url: str) -> None:
    with Database(database_url) as db:
        before = stamp(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO units (name, title, active) VALUES ('x', 'X', true)"))
        assert stamp(db.engine) == before
