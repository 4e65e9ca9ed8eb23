"""Every catalog control's SQL transpiles to Spark SQL, so a catalog is not tied to DuckDB."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot

from kansa.controls import load_catalog, render_sql
from kansa.engine import transpile

CATALOG = load_catalog()
SQL_CONTROLS = sorted(cid for cid, c in CATALOG.items() if c.test_sql)


def _queries(cid: str) -> list[str]:
    c = CATALOG[cid]
    values = {**c.resolved_parameters(), "as_of": dt.date(2026, 11, 20), "tz": "UTC"}
    return [render_sql(sql, values) for sql in (c.population_sql, c.test_sql) if sql]


def test_the_catalog_has_sql_controls() -> None:
    assert "CUS-001" in SQL_CONTROLS


@pytest.mark.parametrize("cid", SQL_CONTROLS)
def test_control_transpiles_to_spark(cid: str) -> None:
    for sql in _queries(cid):
        spark = transpile(sql, "spark")
        assert sqlglot.parse_one(spark, read="spark") is not None


def test_transpile_rewrites_duckdb_idioms() -> None:
    spark = transpile("select list_value(1, 2) as l, x::date as d from t", "spark")
    assert "ARRAY(1, 2)" in spark and "CAST(x AS DATE)" in spark
