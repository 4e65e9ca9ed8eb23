"""Python-logic controls: same read-only cursor, same verdicts and evidence as SQL ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kansa.controls import Control, ControlError
from kansa.engine import run_controls
from kansa.workspace import Workspace


def big_holders(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], as_of: dt.date
) -> tuple[int, pa.Table]:
    """Customers holding more than ``limit`` of an asset on the as-of day."""
    day = "from customer_balances where as_of = $as_of"
    ((count,),) = con.execute(f"select count(*) {day}", {"as_of": as_of}).fetchall()
    failing = con.sql(
        f"select customer_id, asset {day} and balance > $limit order by all",
        params={"as_of": as_of, "limit": params["limit"]},
    ).to_arrow_table()
    return count, failing


def tries_to_write(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], as_of: dt.date
) -> tuple[int, pa.Table]:
    con.execute("create table stolen as select * from customer_balances")
    raise AssertionError("unreachable: the catalog is read-only")


def returns_a_list(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], as_of: dt.date
) -> tuple[int, Any]:
    return 1, [{"customer_id": "C1"}]


def test_logic_control_gets_params_and_as_of(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    c = make_control(
        "TST-201",
        logic="test_engine_logic:big_holders",
        key=("customer_id", "asset"),
        parameters={"limit": ("integer", 1000)},
    )
    run = run_controls(custody_ws, [c], progress=False, record=False)
    o = run.outcome("TST-201")
    assert (o.status, o.population_count, o.exception_count) == ("fail", 8, 4), o.error
    assert o.snapshots == {
        "customer_balances": run.outcome("TST-201").snapshots["customer_balances"]
    }
    assert o.exceptions_file is not None
    rows = pq.read_table(custody_ws.vault_dir / o.exceptions_file).to_pylist()
    assert {r["asset"] for r in rows} == {"ETH"}
    earlier = run_controls(
        custody_ws,
        [c],
        as_of=dt.date(2026, 11, 19),
        parameters={"TST-201": {"limit": "5000"}},
        progress=False,
        record=False,
    ).outcome("TST-201")
    assert (earlier.status, earlier.parameters) == ("pass", {"limit": 5000})


def test_logic_control_cannot_write_and_bad_output_is_an_error(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    writer = make_control("TST-202", logic="test_engine_logic:tries_to_write")
    lister = make_control("TST-203", logic="test_engine_logic:returns_a_list")
    missing = make_control("TST-204", logic="test_engine_logic:no_such_function")
    run = run_controls(custody_ws, [writer, lister, missing], progress=False, record=False)
    assert [o.status for o in run.outcomes] == ["error", "error", "error"]
    assert "read-only" in (run.outcome("TST-202").error or "")
    assert "pyarrow.Table" in (run.outcome("TST-203").error or "")


@pytest.mark.parametrize("logic", ["os:getcwd", "subprocess:run", "antigravity:geohash"])
def test_a_workspace_control_cannot_name_logic_outside_kansa(
    make_control: Callable[..., Control], monkeypatch: pytest.MonkeyPatch, logic: str
) -> None:
    """A hostile workspace must not make `kansa run` import and call code of its choosing."""
    monkeypatch.delenv("KANSA_TRUSTED_LOGIC")
    with pytest.raises(ControlError, match="outside Kansa"):
        make_control("TST-299", logic=logic)


def test_the_operator_can_trust_a_module_outside_the_workspace(
    make_control: Callable[..., Control], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KANSA_TRUSTED_LOGIC", "my_exchange.checks, test_engine_logic")
    assert make_control("TST-298", logic="my_exchange.checks:run").logic == "my_exchange.checks:run"
    assert make_control("TST-297", logic="kansa.custody.controls:key_001").logic
