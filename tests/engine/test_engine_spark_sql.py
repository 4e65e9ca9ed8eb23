"""DuckDB idioms rewritten for Spark 3.5 (kansa.engine.spark_sql), checked on the SQL text; the
parity test runs them on Spark."""

from __future__ import annotations

import pytest
from sqlglot.errors import UnsupportedError

from kansa.engine import transpile


def test_string_agg_ordered_by_itself_sorts_the_collected_values() -> None:
    out = transpile("select string_agg(distinct r, ';' order by r) from t", "spark")
    assert "LISTAGG" not in out
    assert "ARRAY_JOIN(ARRAY_SORT(COLLECT_SET(r)), ';')" in out
    assert "CASE WHEN COUNT(r) = 0 THEN NULL" in out  # no value: NULL, as DuckDB


def test_string_agg_ordered_by_another_key_sorts_pairs() -> None:
    out = transpile("select string_agg(v, ';' order by k) from t", "spark")
    assert "ARRAY_SORT(COLLECT_LIST(STRUCT(k AS k, v AS v)))" in out


def test_string_agg_keeps_its_filter_on_every_aggregate() -> None:
    out = transpile("select string_agg(v, ';' order by v) filter (where ok) from t", "spark")
    assert out.count("FILTER(WHERE ok)") == 2


@pytest.mark.parametrize(
    "sql",
    [
        "select string_agg(v, ';' order by v desc) from t",
        "select string_agg(distinct v, ';' order by k) from t",
        "select string_agg(v, ';' order by k, v) from t",
    ],
)
def test_a_string_agg_spark_35_cannot_express_is_refused(sql: str) -> None:
    with pytest.raises(UnsupportedError):
        transpile(sql, "spark")


def test_duckdb_intervals_become_make_dt_interval() -> None:
    out = transpile("select ts + to_hours(24) from t", "spark")
    assert "MAKE_DT_INTERVAL(0, 24, 0, 0)" in out
    # to_days is its own SQLGlot node (ToDays), which Spark's output kept as TO_DAYS (CSR-001)
    out = transpile("select ts - to_days(cast(30 as integer)) from t", "spark")
    assert "MAKE_DT_INTERVAL(CAST(30 AS INT), 0, 0, 0)" in out and "TO_DAYS" not in out


def test_a_controls_own_error_becomes_raise_error() -> None:
    """The customer controls refuse an empty input with DuckDB's error(); Spark 3.5 has no
    ERROR function (the parity run failed on it), its own is raise_error."""
    out = transpile("select case when n = 0 then error('holds no rows') end from t", "spark")
    assert "RAISE_ERROR('holds no rows')" in out and " ERROR(" not in out


def test_date_minus_date_is_days_when_the_types_are_known() -> None:
    schema = {"t": {"d": "date", "ts": "timestamp", "n": "int"}}
    sql = (
        "with c as (select max(d) as m from t) "
        "select date '2026-01-31' - m as age, m - 3 as before from c"
    )
    out = transpile(sql, "spark", schema)
    assert "DATEDIFF(CAST('2026-01-31' AS DATE), m) AS age" in out
    assert "m - 3 AS before" in out  # date - integer stays a date
