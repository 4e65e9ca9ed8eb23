"""CTE names are resolved per scope, the way DuckDB binds them.

Each bypass below makes an undeclared dataset's name look like a CTE somewhere in the query
while DuckDB reads the real dataset where the name is used. Each is run on DuckDB first (it
does read the secret row), then given to the guard (which must refuse it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest

from kansa.controls import Control
from kansa.engine import UnsafeQuery, check_query, run_controls
from kansa.engine.guard import tables_read
from kansa.workspace import Workspace

SECRET = 424242  # only in the undeclared dataset

BYPASSES = {
    "cte_in_a_subquery": "select x.v, c.v from "
    "(with customer_balances as (select 0 as v) select v from customer_balances) x, "
    "customer_balances c",
    "cte_in_one_union_branch": "select v from customer_balances union all "
    "(with customer_balances as (select 0 as v) select v from customer_balances)",
    "later_with_item": "with a as (select v from customer_balances), "
    "customer_balances as (select 0 as v) select v from a",
    "non_recursive_self_reference": "with customer_balances as "
    "(select v from customer_balances) select v from customer_balances",
    "cte_inside_a_sibling_cte": "with a as (with customer_balances as (select 0 as v) "
    "select v from customer_balances), b as (select v from customer_balances) select v from b",
    "cte_in_a_scalar_subquery": "select (with customer_balances as (select 0 as v) "
    "select v from customer_balances) as a, (select max(v) from customer_balances) as v",
    "cte_in_an_exists": "select v from wallets where exists "
    "(with customer_balances as (select 1 as v) select 1 from customer_balances) "
    "union all select v from customer_balances",
    "cte_in_a_lateral": "select l.v from wallets w, lateral (select v from customer_balances) l "
    "where exists (with customer_balances as (select 1) select 1 from customer_balances)",
    "differently_quoted_name": 'select x.v from (with "Customer_Balances" as (select 0 as v) '
    'select v from "CUSTOMER_BALANCES") x union all select v from Customer_Balances',
}


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute(f"create table customer_balances as select {SECRET} as v")
    con.execute("create table wallets as select 1 as v")
    yield con
    con.close()


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_a_cte_out_of_scope_does_not_hide_an_undeclared_dataset(
    duck: duckdb.DuckDBPyConnection, name: str
) -> None:
    sql = BYPASSES[name]
    assert SECRET in {v for row in duck.execute(sql).fetchall() for v in row}  # a real read
    with pytest.raises(UnsafeQuery, match="customer_balances"):
        check_query(sql, {"wallets"}, known={"wallets", "customer_balances"})
    assert "customer_balances" in tables_read(sql)


@pytest.mark.parametrize(
    ("sql", "read"),
    [
        ("with customer_balances as (select v from wallets) select v from customer_balances",
         {"wallets"}),
        ("with a as (select v from wallets), b as (select v from a) select v from b", {"wallets"}),
        ("with recursive r as (select 1 as v union all select v + 1 from r where v < 3) "
         "select v from r", set()),
        ("with a as (select v from wallets) select v from a union all "
         "select v from a", {"wallets"}),
        ("with a as (select v from wallets) select (select max(v) from a) as m", {"wallets"}),
        ('with "A" as (select v from wallets) select v from a', {"wallets"}),
    ],
)  # fmt: skip
def test_ctes_in_scope_are_still_ctes(sql: str, read: set[str]) -> None:
    assert check_query(sql, {"wallets"}) == read
    assert tables_read(sql) == read


def test_a_control_reads_only_the_datasets_it_declares(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    """The engine gives the guard the control's own datasets, not every dataset of the vault."""
    sneaky = make_control(
        "TST-666",
        "select c.customer_id from (with customer_balances as (select 'x' as customer_id) "
        "select customer_id from customer_balances) x, customer_balances c",
        datasets=("wallets",),
    )
    plain = make_control(
        "TST-667", "select customer_id from customer_balances", datasets=("wallets",)
    )
    run = run_controls(custody_ws, [sneaky, plain], progress=False, record=False)
    for cid in ("TST-666", "TST-667"):
        o = run.outcome(cid)
        assert o.status == "error" and "customer_balances" in (o.error or "")
        assert "not declared" in (o.error or "")
        assert set(o.snapshots) == {"wallets"}
