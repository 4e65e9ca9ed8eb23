"""`kansa db reconcile` rebuilds the audit plan's tables from the ledger: rows deleted (or left
behind by an old backup) come back with the same content, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import pytest
from helpers_engage import catalog_and_run, desk, planned
from sqlalchemy import delete, select, update

from kansa.appdb import AuditEntity, Database, Engagement, EngagementItem, MaturityClaim
from kansa.cli.app import main
from kansa.controls import Control
from kansa.engagements import assess, link_item, roll_forward, update_engagement
from kansa.engagements.rebuild import rebuild_engagements
from kansa.vault import Vault
from kansa.workspace import Workspace

TABLES = (AuditEntity, Engagement, EngagementItem, MaturityClaim)
SKIP = {"id", "engagement_id", "rolled_from_id"}  # the database's own numbers


def _content(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the plan's tables, named by what names it (never by a row id)."""
    with Database(ws.database_url) as db, db.session() as s:
        codes = {e.id: e.code for e in s.scalars(select(Engagement))}
        out = {}
        for table in TABLES:
            cols = [c.name for c in table.__table__.columns if c.name not in SKIP]
            rows = []
            for row in s.scalars(select(table)):
                values = tuple(getattr(row, c) for c in cols)
                if table is Engagement:
                    values += (codes.get(row.rolled_from_id),)
                if table is EngagementItem:
                    values += (codes[row.engagement_id],)
                rows.append(values)
            out[table.__tablename__] = sorted(rows, key=repr)
        return out


@pytest.fixture
def plan(
    db_workspace: Workspace, put_snapshot: Callable[..., Any], make_control: Callable[..., Control]
) -> Workspace:
    """A plan with every kind of row: entities, an engagement updated, linked and rolled
    forward, and a maturity claim."""
    catalog, run_seq = catalog_and_run(db_workspace, put_snapshot, make_control)
    planned(db_workspace, catalog)
    with desk(db_workspace, "Lead Mori") as d:
        link_item(d, "2026-CUSTODY", str(run_seq))
        update_engagement(d, "2026-CUSTODY", status="fieldwork", hours_actual=12.5,
                          opinion="Effective.")  # fmt: skip
        roll_forward(d, catalog, "2026-CUSTODY")
        assess(d, "controls-tested", met=True, evidence=[run_seq], note="runs daily")
    return db_workspace


def _reconcile(ws: Workspace, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sys, "argv", ["kansa", "-w", str(ws.root), "db", "reconcile"])
    with pytest.raises(SystemExit) as exit_:
        main()
    out, err = capsys.readouterr()
    assert exit_.value.code in (0, None), out + err
    return " ".join((out + err).split())  # the console wraps long lines


def test_deleted_plan_rows_come_back_the_same_from_the_ledger(
    plan: Workspace, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _content(plan)
    assert all(before[t.__tablename__] for t in TABLES)
    with Database(plan.database_url) as db, db.session() as s:
        for table in (EngagementItem, MaturityClaim, Engagement, AuditEntity):
            s.execute(delete(table))
    assert not any(_content(plan).values())
    out = _reconcile(plan, capsys, monkeypatch)
    assert "1 universe entr(ies), 2 engagement(s), 1 linked item(s), 1 maturity claim(s)" in out
    assert _content(plan) == before
    again = _reconcile(plan, capsys, monkeypatch)
    assert "Audit plan rebuilt" not in again and _content(plan) == before


def test_a_row_older_than_its_last_entry_is_brought_back(plan: Workspace) -> None:
    """A database restored from an old backup: the engagement's update is replayed."""
    before = _content(plan)
    with Database(plan.database_url) as db:
        with db.session() as s:
            s.execute(update(Engagement).where(Engagement.code == "2026-CUSTODY")
                      .values(status="planned", opinion="", hours_actual=0.0, ledger_seq=1))  # fmt: skip
        done = rebuild_engagements(db, Vault(plan.vault_dir), plan.config.name)
    assert (done.engagements, done.entities, done.items, done.claims) == (1, 0, 0, 0)
    assert _content(plan) == before


def test_rows_keep_the_time_of_their_ledger_entry(plan: Workspace) -> None:
    with Database(plan.database_url) as db, db.session() as s:
        e = s.scalars(select(Engagement).where(Engagement.code == "2026-CUSTODY")).one()
        seq, at = e.ledger_seq, e.created_at
    entries = {x.seq: x for x in Vault(plan.vault_dir).ledger.read()}
    added = next(x for x in entries.values() if x.payload.get("action") == "engagement_added")
    assert at == dt.datetime.fromisoformat(added.time.replace("Z", "+00:00"))
    assert entries[seq].payload["action"] == "engagement_updated"
