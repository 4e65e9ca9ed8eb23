"""Findings across runs, on SQLite and PostgreSQL: open, update, close on pass, stay open on
error, come back as a repeat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from kansa.appdb import Database
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.findings import apply_run, close, list_findings, run_ids
from kansa.vault import Vault
from kansa.workflow import Desk
from kansa.workspace import Workspace

NEGATIVE = "select customer_id, asset, as_of, balance from customer_balances where balance < 0"
Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]


def book(negatives: int, total: int = 1000) -> list[dict[str, Any]]:
    return [
        {
            "as_of": "2026-11-20",
            "customer_id": f"C{i:04d}",
            "asset": "BTC",
            "balance": str(-5 if i < negatives else 100),
        }
        for i in range(total)
    ]


@pytest.fixture
def negative_balance(make_control: Callable[..., Control]) -> Control:
    return make_control(
        "TST-301",
        NEGATIVE,
        population_sql="select * from customer_balances",
        key=("customer_id", "asset", "as_of"),
        severity="high",
    )


def run_and_apply(ws: Workspace, controls: list[Control]) -> str:
    run = run_controls(ws, controls, progress=False)
    with Database(ws.database_url) as db:
        apply_run(db, run.run_id, {c.id: c.owner for c in controls})
    return run.run_id


def sign_closure(ws: Workspace, finding_id: int, reviewer: str = "Reviewer") -> Any:
    with Database(ws.database_url) as db:
        return close(Desk(db, Vault(ws.vault_dir), ws.config.name, reviewer), finding_id)


def findings(ws: Workspace, **kw: Any) -> list[Any]:
    with Database(ws.database_url) as db:
        return list_findings(db, ws.config.name, **kw)


def test_lifecycle_open_update_close_repeat(
    db_workspace: Workspace, put_snapshot: Put, negative_balance: Control
) -> None:
    ws = db_workspace
    put_snapshot(ws, "customer_balances", book(negatives=3))
    r1 = run_and_apply(ws, [negative_balance])
    (f,) = findings(ws)
    assert (f.status, f.control_id, f.rating, f.repeat) == ("open", "TST-301", "deficiency", False)
    assert (f.exception_count, f.population_count, f.owner) == (3, 1000, "treasury")
    assert f.first_seen_run_id == f.last_seen_run_id == r1

    put_snapshot(ws, "customer_balances", book(negatives=60))  # 6%: pervasive for a high control
    r2 = run_and_apply(ws, [negative_balance])
    (f,) = findings(ws)
    assert (f.status, f.occurrences, f.rating) == ("open", 2, "material_weakness")
    assert (f.first_seen_run_id, f.last_seen_run_id) == (r1, r2)
    assert f.last_seen_at >= f.first_seen_at

    put_snapshot(ws, "customer_balances", book(negatives=0))
    r3 = run_and_apply(ws, [negative_balance])
    (f,) = findings(ws)  # the pass makes it ready for closure; it is not closed yet
    assert (f.status, f.state, f.retest_run_id, f.closed_run_id) == (
        "open",
        "retest_passed",
        r3,
        None,
    )
    assert run_ids(f) == [r1, r2, r3]
    assert [e.kind for e in f.events] == ["opened", "updated", "retest_passed"]
    sign_closure(ws, f.id)
    (f,) = findings(ws)
    assert (f.status, f.state, f.closed_run_id, f.closed_by) == ("closed", "closed", r3, "Reviewer")

    put_snapshot(ws, "customer_balances", book(negatives=1))
    r4 = run_and_apply(ws, [negative_balance])
    new, old = findings(ws)
    assert (new.status, new.repeat, new.previous_id, new.first_seen_run_id) == (
        "open",
        True,
        old.id,
        r4,
    )
    assert [f.id for f in findings(ws, status="open")] == [new.id]


def test_an_error_never_closes_a_finding(
    db_workspace: Workspace, put_snapshot: Put, make_control: Callable[..., Control]
) -> None:
    ws = db_workspace
    good = make_control("TST-303", NEGATIVE, key=("customer_id",))
    put_snapshot(ws, "customer_balances", book(negatives=2))
    run_and_apply(ws, [good])
    # the same control id now errors (its SQL broke): the finding must stay open
    bad = make_control("TST-303", "select broken as customer_id from customer_balances")
    put_snapshot(ws, "customer_balances", book(negatives=0))
    r2 = run_and_apply(ws, [bad])
    (f,) = findings(ws)
    assert f.status == "open" and f.closed_at is None
    assert [(e.kind, e.run_id) for e in f.events][-1] == ("error", r2)


def test_a_passing_control_opens_nothing_and_a_run_applies_once(
    db_workspace: Workspace, put_snapshot: Put, negative_balance: Control
) -> None:
    ws = db_workspace
    put_snapshot(ws, "customer_balances", book(negatives=0))
    run_and_apply(ws, [negative_balance])
    assert findings(ws) == []
    put_snapshot(ws, "customer_balances", book(negatives=1))
    run = run_controls(ws, [negative_balance], progress=False)
    with Database(ws.database_url) as db:
        first = apply_run(db, run.run_id)
        again = apply_run(db, run.run_id)
    assert [c.kind for c in first] == ["opened"] and again == []
    (f,) = findings(ws)
    assert f.occurrences == 1 and len(f.events) == 1


def test_findings_are_scoped_by_workspace(
    db_workspace: Workspace, put_snapshot: Put, negative_balance: Control
) -> None:
    ws = db_workspace
    put_snapshot(ws, "customer_balances", book(negatives=1))
    run_and_apply(ws, [negative_balance])
    with Database(ws.database_url) as db:
        assert list_findings(db, "another-workspace") == []
        assert len(list_findings(db, ws.config.name)) == 1


def test_findings_split_by_a_key_subset(
    db_workspace: Workspace, put_snapshot: Put, make_control: Callable[..., Control]
) -> None:
    ws = db_workspace
    c = make_control("TST-304", NEGATIVE, key=("customer_id", "asset"))
    rows = [
        *book(negatives=3),
        {"as_of": "2026-11-20", "customer_id": "E1", "asset": "ETH", "balance": "-1"},
    ]
    put_snapshot(ws, "customer_balances", rows)

    def apply() -> list[Any]:
        run = run_controls(ws, [c], progress=False)
        with Database(ws.database_url) as db:
            return apply_run(db, run.run_id, scopes={"TST-304": ["asset"]}, vault_dir=ws.vault_dir)

    first = apply()
    assert sorted((ch.scope, ch.kind) for ch in first) == [
        ("asset=BTC", "opened"),
        ("asset=ETH", "opened"),
    ]
    assert {f.scope: f.exception_count for f in findings(ws)} == {"asset=BTC": 3, "asset=ETH": 1}
    put_snapshot(ws, "customer_balances", book(negatives=2))  # ETH fixed, BTC still failing
    second = apply()
    assert sorted((ch.scope, ch.kind) for ch in second) == [
        ("asset=BTC", "updated"),
        ("asset=ETH", "retest_passed"),
    ]
    assert {f.scope: f.state for f in findings(ws, status="open")} == {
        "asset=BTC": "open",
        "asset=ETH": "retest_passed",
    }
    eth = next(f for f in findings(ws) if f.scope == "asset=ETH")
    sign_closure(ws, eth.id)  # the failing run that left no ETH exception is its retest
    assert [f.scope for f in findings(ws, status="open")] == ["asset=BTC"]


def test_scope_configuration_is_checked(make_control: Callable[..., Control]) -> None:
    from kansa.errors import KansaError
    from kansa.findings import configured_scopes

    c = make_control("TST-305", NEGATIVE, key=("customer_id", "asset"))
    catalog = {c.id: c}
    assert configured_scopes({"findings": {"scope": {"TST-305": ["asset"]}}}, catalog) == {
        "TST-305": ["asset"]
    }
    for bad in ({"TST-305": ["balance"]}, {"TST-999": ["asset"]}, {"TST-305": "asset"}):
        with pytest.raises(KansaError):
            configured_scopes({"findings": {"scope": bad}}, catalog)


def test_a_pass_as_of_an_earlier_day_does_not_close_a_later_finding(
    db_workspace: Workspace, put_snapshot: Put, make_control: Callable[..., Control]
) -> None:
    """Looking back (``kansa run --as-of`` an earlier day) proves nothing about remediation."""
    ws = db_workspace
    dated = make_control(
        "TST-306",
        "select customer_id, asset, as_of, balance from customer_balances "
        "where balance < 0 and as_of <= {{ as_of }}",
        key=("customer_id", "asset", "as_of"),
    )
    earlier = [{**r, "as_of": "2026-11-19"} for r in book(negatives=0, total=10)]
    put_snapshot(ws, "customer_balances", earlier + book(negatives=2, total=10))
    r1 = run_and_apply(ws, [dated])
    back = run_controls(ws, [dated], as_of=dt.date(2026, 11, 19), progress=False)
    assert back.outcome("TST-306").status == "pass"
    with Database(ws.database_url) as db:
        apply_run(db, back.run_id)
    (f,) = findings(ws)
    assert (f.state, f.retest_run_id, f.last_seen_run_id) == ("open", None, r1)
    put_snapshot(ws, "customer_balances", earlier + book(negatives=0, total=10))
    r3 = run_and_apply(ws, [dated])  # a pass as of the same day is a retest
    (f,) = findings(ws)
    assert (f.state, f.retest_run_id) == ("retest_passed", r3)


def test_a_failure_as_of_an_earlier_day_keeps_the_latest_figures(
    db_workspace: Workspace, put_snapshot: Put, make_control: Callable[..., Control]
) -> None:
    """Looking back at a day with more exceptions must not rewrite today's rating and count."""
    ws = db_workspace
    dated = make_control(
        "TST-307",
        "select customer_id, asset, as_of, balance from customer_balances "
        "where balance < 0 and as_of = {{ as_of }}",
        population_sql="select * from customer_balances where as_of = {{ as_of }}",
        key=("customer_id", "asset", "as_of"),
        severity="high",
    )
    earlier = [{**r, "as_of": "2026-11-19"} for r in book(negatives=200, total=1000)]
    put_snapshot(ws, "customer_balances", earlier + book(negatives=2, total=1000))
    r1 = run_and_apply(ws, [dated])
    (f,) = findings(ws)
    latest = (f.exception_count, f.rating, f.last_seen_run_id)
    assert latest[:2] == (2, "deficiency") and latest[2] == r1
    back = run_controls(ws, [dated], as_of=dt.date(2026, 11, 19), progress=False)
    assert back.outcome("TST-307").exception_count == 200
    with Database(ws.database_url) as db:
        apply_run(db, back.run_id)
    (f,) = findings(ws)
    assert (f.exception_count, f.rating, f.last_seen_run_id) == latest
    assert f.status == "open"
    assert [e.run_id for e in f.events][-1] == back.run_id  # the look-back is still recorded
