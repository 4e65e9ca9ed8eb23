"""Migration 0003 on a database that already holds findings: closed ones stay closed."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from kansa.appdb import head_revision, make_engine, upgrade
from kansa.appdb.database import _alembic_config


def _upgrade_to(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def test_findings_closed_before_the_workflow_are_closed_after_it(database_url: str) -> None:
    _upgrade_to(database_url, "0001")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO runs VALUES ('R1', 'ws', '2026-11-20', '2026-11-20 09:00:00+00',"
                " '2026-11-20 09:00:00+00', 'duckdb', 'tester', 1, 0, 1, 0, '{}', 1, 'h')"
            ))  # fmt: skip
            for fid, status in ((1, "closed"), (2, "open")):
                conn.execute(text(
                    "INSERT INTO findings (id, workspace, control_id, scope, severity, rating,"
                    " status, repeat, owner, first_seen_run_id, last_seen_run_id, first_seen_at,"
                    " last_seen_at, occurrences, exception_count) VALUES (:id, 'ws', 'C', '',"
                    " 'high', 'deficiency', :status, false, 'treasury', 'R1', 'R1',"
                    " '2026-11-20 09:00:00+00', '2026-11-20 09:00:00+00', 1, 1)"
                ), {"id": fid, "status": status})  # fmt: skip
        assert upgrade(database_url) == head_revision()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, state, assignee FROM findings ORDER BY id"))
            assert [tuple(r) for r in rows] == [(1, "closed", ""), (2, "open", "")]
    finally:
        engine.dispose()
