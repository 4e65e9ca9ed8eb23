"""Shared by the engagement tests: a workspace with a failing and a passing control run, and a
desk for any actor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kansa.appdb import Database
from kansa.controls import Control
from kansa.engagements import EngagementSpec, add_engagement, add_entity
from kansa.engine import run_controls
from kansa.findings import apply_run
from kansa.vault import Vault
from kansa.workflow import Desk, Policy
from kansa.workspace import Workspace

NEGATIVE = "select customer_id, asset, as_of, balance from customer_balances where balance < 0"
HUGE = "select customer_id, asset, as_of, balance from customer_balances where balance > 1000000"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def book(negatives: int, total: int = 50) -> list[dict[str, Any]]:
    return [
        {"as_of": "2026-11-20", "customer_id": f"C{i:04d}", "asset": "BTC",
         "balance": str(-5 if i < negatives else 100)}
        for i in range(total)
    ]  # fmt: skip


@contextmanager
def desk(ws: Workspace, actor: str, now: dt.datetime = NOW) -> Iterator[Desk]:
    with Database(ws.database_url) as db:
        yield Desk(db, Vault(ws.vault_dir), ws.config.name, actor, Policy(), now)


def catalog_and_run(
    ws: Workspace, put_snapshot: Callable[..., Any], make_control: Callable[..., Control]
) -> tuple[dict[str, Control], int]:
    """Two custody controls (TST-601 fails on 2 negative balances, TST-602 passes) and one
    access control (TST-603, never run); the run's ledger seq, by "Preparer Ito"."""
    put_snapshot(ws, "customer_balances", book(negatives=2))
    failing, passing = make_control("TST-601", NEGATIVE), make_control("TST-602", HUGE)
    access = dataclasses.replace(make_control("TST-603", HUGE), area="access", owner="it")
    os.environ["KANSA_ACTOR"] = "Preparer Ito"
    try:
        run = run_controls(ws, [failing, passing], progress=False)
    finally:
        del os.environ["KANSA_ACTOR"]
    with Database(ws.database_url) as db:
        apply_run(db, run.run_id)
    assert run.ledger_seq is not None
    return {c.id: c for c in (failing, passing, access)}, run.ledger_seq


def planned(ws: Workspace, catalog: dict[str, Control], code: str = "2026-CUSTODY") -> None:
    with desk(ws, "Lead Mori") as d:
        add_entity(d, catalog, "area", "custody", impact=5, likelihood=4, title="Custody")
        add_engagement(d, catalog, EngagementSpec(
            code=code, title="Custody and segregation", scope=["area:custody"],
            period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31),
            as_of=dt.date(2026, 11, 30), lead="Lead Mori", team=["Auditor Kato"],
            analytics=["sample customer_balances"], hours_budget=120,
            purpose="Assure that customer crypto assets are segregated and kept cold.",
        ))  # fmt: skip
