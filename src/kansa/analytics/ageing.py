"""Ageing: records (and value) by days between a date column and an as-of date.

Buckets from ``--buckets 30,60,90``: ``0-30``, ``31-60``, ``61-90``, ``over 90`` days, plus
``future`` for dates after the as-of date. Age in whole days is ``as_of - date(col)`` with
timestamps taken at their UTC calendar date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kansa.analytics.population import Population
from kansa.analytics.result import Analysis, Chart, Table
from kansa.errors import KansaError
from kansa.i18n import tr


def bucket_labels(limits: list[int]) -> list[str]:
    labels, lo = [], 0
    for hi in limits:
        labels.append(f"{lo}-{hi}")
        lo = hi + 1
    labels.append(f">{limits[-1]}")
    return ["future", *labels]


def bucket_sql(age: str, limits: list[int]) -> str:
    """SQL: bucket index 0 (future), 1..len(limits) for the ranges, len+1 for the oldest."""
    whens = " ".join(f"WHEN {age} <= {hi} THEN {i + 1}" for i, hi in enumerate(limits))
    return f"CASE WHEN {age} < 0 THEN 0 {whens} ELSE {len(limits) + 1} END"


def run_ageing(
    pop: Population,
    date_column: str,
    as_of: date,
    limits: list[int],
    *,
    amount: str | None = None,
    limit: int = 10_000,
) -> Analysis:
    if not limits or sorted(set(limits)) != limits or limits[0] < 0:
        raise KansaError(
            tr(
                "--buckets must be increasing whole days, e.g. 30,60,90.",
                "--buckets は 30,60,90 のように増加する日数で指定してください。",
            )
        )
    col = pop.column(date_column, temporal=True)
    amt = pop.column(amount, numeric=True) if amount else None
    age = (
        f"date_diff('day', CAST(timezone('UTC', {col}) AS DATE), DATE '{as_of.isoformat()}')"
        if "TIME ZONE" in pop.columns[date_column].upper()
        else f"date_diff('day', CAST({col} AS DATE), DATE '{as_of.isoformat()}')"
    )
    bucket = bucket_sql(age, limits)
    total_sql = f"sum({amt})" if amt else "NULL"
    sql = f"SELECT {bucket} AS b, count(*) AS n, {total_sql} AS total, min({age}) AS youngest, max({age}) AS oldest FROM population WHERE {col} IS NOT NULL GROUP BY b ORDER BY b"
    got = {int(r[0]): r[1:] for r in pop.rows(sql)}
    empty = int(pop.one(f"SELECT count(*) FROM population WHERE {col} IS NULL")[0])
    labels = bucket_labels(limits)
    table = _buckets_table(labels, got, amt is not None)
    oldest = len(limits) + 1
    records = _oldest_records(pop, age, bucket, oldest, limit)
    n_all = sum(int(r[0]) for r in got.values())
    n_old = int(got.get(oldest, (0,))[0])
    n_future = int(got.get(0, (0,))[0])
    where = f"{pop.input.dataset}.{date_column}"
    return pop.analysis(
        analysis="ageing",
        title={"en": "Ageing", "ja": "年齢分析（経過日数）"},
        parameters={
            "date_column": date_column,
            "as_of": as_of.isoformat(),
            "buckets": limits,
            "amount_column": amount,
        },
        summary={
            "records": n_all,
            "empty": empty,
            "oldest_bucket": labels[-1],
            "in_oldest_bucket": n_old,
            "future_dated": n_future,
        },
        conclusion={
            "en": f"{n_all:,} records of {where} aged at {as_of.isoformat()}: {n_old:,} older than {limits[-1]} days, {n_future:,} dated after the as-of date, {empty:,} without a date.",
            "ja": f"{where} の {n_all:,} 件を {as_of.isoformat()} 時点で年齢分析しました。{limits[-1]} 日超は {n_old:,} 件、基準日より後の日付は {n_future:,} 件、日付なしは {empty:,} 件です。",
        },
        tables=[table],
        records=records,
    )


def _buckets_table(labels: list[str], got: dict[int, tuple[Any, ...]], with_amount: bool) -> Table:
    n_all = sum(int(r[0]) for r in got.values()) or 1
    rows: list[list[Any]] = []
    for i, label in enumerate(labels):
        n, total, youngest, oldest = got.get(i, (0, None, None, None))
        rows.append(
            [label, int(n), int(n) / n_all, total if with_amount else None, youngest, oldest]
        )
    cols = ["bucket", "count", "count_share", "total_value", "youngest_days", "oldest_days"]
    return Table(
        "buckets",
        cols,
        rows,
        chart=Chart("Records per age bucket / 経過日数区分別の件数", "bucket", ("count",)),
    )


def _oldest_records(pop: Population, age: str, bucket: str, oldest: int, limit: int) -> Table:
    where = f"{bucket} = {oldest}"
    total = int(pop.one(f"SELECT count(*) FROM population WHERE {where}")[0])
    cols = ["_row", "age_days", *pop.columns]
    select = ", ".join(["_row", f"{age} AS age_days", *pop.record_columns()])
    rows = [
        list(r)
        for r in pop.rows(
            f"SELECT {select} FROM population WHERE {where} ORDER BY age_days DESC, _row LIMIT {int(limit)}"
        )
    ]
    return Table("records", cols, rows, total=total)
