"""The app database on SQLite and on a real PostgreSQL: migrations, constraints, time zones."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from kansa.appdb import (
    Base,
    Database,
    Finding,
    Run,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from kansa.errors import KansaError

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _run(run_id: str = "R1") -> Run:
    return Run(
        id=run_id,
        workspace="ws",
        as_of=dt.date(2026, 11, 20),
        started_at=T0,
        finished_at=T0,
        engine="duckdb test",
        actor="tester",
        controls_total=0,
        passed=0,
        failed=0,
        errored=0,
        overrides={},
    )


def _finding(status: str = "open", scope: str = "") -> Finding:
    return Finding(
        workspace="ws",
        control_id="CUS-001",
        scope=scope,
        severity="critical",
        rating="material_weakness",
        status=status,
        repeat=False,
        owner="treasury",
        first_seen_run_id="R1",
        last_seen_run_id="R1",
        first_seen_at=T0,
        last_seen_at=T0,
        occurrences=1,
        exception_count=1,
    )


def test_upgrade_creates_every_table_and_is_idempotent(database_url: str) -> None:
    assert upgrade(database_url) == head_revision()
    assert upgrade(database_url) == head_revision()
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"runs", "control_results", "findings", "finding_events"} <= tables
    finally:
        engine.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_one_open_finding_per_scope(database_url: str) -> None:
    with Database(database_url) as db:
        with db.session() as s:
            s.add(_run())
            s.flush()
            s.add(_finding("closed"))
            s.add(_finding("closed"))
            s.add(_finding("open"))
            s.add(_finding("open", scope="asset=BTC"))
        with pytest.raises(IntegrityError), db.session() as s:
            s.add(_finding("open"))


def test_foreign_keys_are_enforced(database_url: str) -> None:
    with Database(database_url) as db, pytest.raises(IntegrityError), db.session() as s:
        s.add(_finding("open"))  # run R1 does not exist


def test_times_come_back_as_the_same_instant_in_utc(database_url: str) -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    with Database(database_url) as db:
        with db.session() as s:
            run = _run()
            run.started_at = dt.datetime(2026, 11, 20, 18, 0, tzinfo=tokyo)
            s.add(run)
        with db.session() as s:
            got = s.get(Run, "R1")
            assert got is not None
            assert got.started_at == T0 and got.started_at.utcoffset() == dt.timedelta(0)


def test_naive_times_are_refused(database_url: str) -> None:
    run = _run()
    run.finished_at = dt.datetime(2026, 11, 20, 9, 0)
    with (
        Database(database_url) as db,
        pytest.raises(Exception, match="time zone"),
        db.session() as s,
    ):
        s.add(run)


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "not a url", "postgresql+psycopg://kansa@127.0.0.1:1/none"],
)
def test_bad_or_unreachable_database_is_a_clear_error(url: str) -> None:
    with pytest.raises(KansaError):
        upgrade(url)
