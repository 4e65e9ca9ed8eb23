"""Run one control straight on a DuckDB connection whose tables/views are named like the datasets.

This is not the engine (no vault, no app database, no sandbox): it is the smallest faithful way
to execute a control, used by the fixture tests, by lint's smoke checks and to measure the
catalog against a demo's ground truth. The engine renders and executes the same SQL, over the
same shared views (created here, for the control's as-of date, before its queries run).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from kansa.controls.model import Control
from kansa.controls.render import DEFAULT_TZ, render_sql
from kansa.controls.views import builtin_views, closure, create_views

LogicFn = Callable[[duckdb.DuckDBPyConnection, dict[str, Any], dt.date], tuple[int, pa.Table]]


@dataclass(frozen=True)
class DirectResult:
    control_id: str
    population: int
    exceptions: pa.Table

    def rows(self) -> list[dict[str, Any]]:
        return self.exceptions.to_pylist()


def sql_values(
    control: Control,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    """The values a control's SQL is rendered with: its parameters, then ``as_of`` and ``tz``."""
    values = control.resolved_parameters(dict(overrides or {}))
    values["as_of"] = as_of
    values["tz"] = tz
    return values


def rendered_queries(
    control: Control, as_of: dt.date, overrides: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """``{"population": sql, "test": sql}`` with every placeholder filled (SQL controls only)."""
    values = sql_values(control, as_of, overrides)
    out = {}
    if control.population_sql:
        out["population"] = render_sql(control.population_sql, values)
    if control.test_sql:
        out["test"] = render_sql(control.test_sql, values)
    return out


def resolve_logic(reference: str) -> LogicFn:
    """Import ``package.module:function``; ImportError/AttributeError tell what is missing."""
    module_name, _, attr = reference.partition(":")
    fn = getattr(importlib.import_module(module_name), attr)
    if not callable(fn):
        raise TypeError(f"{reference} is not callable")
    return fn


def install_views(con: duckdb.DuckDBPyConnection, control: Control, as_of: dt.date) -> None:
    """(Re)create the shared views ``control`` reads, rendered for ``as_of``, on ``con``."""
    shared = builtin_views()
    create_views(con, [shared[n] for n in closure(control.views, shared)], as_of)


def run_control(
    con: duckdb.DuckDBPyConnection,
    control: Control,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> DirectResult:
    """Population count and exception rows of one control (its shared views created first)."""
    if control.logic:
        params = control.resolved_parameters(dict(overrides or {}))
        population, table = resolve_logic(control.logic)(con, params, as_of)
        return DirectResult(control.id, int(population), table)
    queries = rendered_queries(control, as_of, overrides)
    install_views(con, control, as_of)
    population = 0
    if "population" in queries:
        rows = con.execute(f"SELECT count(*) FROM ({queries['population']})").fetchall()
        population = int(rows[0][0])
    table = con.sql(queries["test"]).to_arrow_table()
    return DirectResult(control.id, population, table)
