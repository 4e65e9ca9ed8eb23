"""Duplicate records: exact (same key values, optionally within a time window) and fuzzy
(near amounts, similar names, within a time window), inside DuckDB.

* Exact, no window: groups of records with equal values in every key column.
* Exact, ``--within W``: records with equal keys are chained when each follows the previous one
  by at most W (ordered by the time column); a chain of two or more is a duplicate group.
* Fuzzy (``--fuzzy``, needs ``--within``): pairs of records at most W apart in which every
  numeric key differs by at most ``tolerance`` of the larger value, every text key is equal or
  has Jaro-Winkler similarity >= ``similarity`` (Winkler 1990, case-folded; DuckDB's
  ``jaro_winkler_similarity``) and every other key is equal.
"""

from __future__ import annotations

import re
from typing import Any

from kansa.analytics.population import Population, is_numeric, quote
from kansa.analytics.result import Analysis, Table
from kansa.errors import KansaError
from kansa.i18n import tr

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """``90s``, ``10m``, ``2h``, ``1d`` (or plain seconds) -> seconds."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text.lower())
    if not m:
        raise KansaError(
            tr(
                f"Cannot read the duration {text!r}; use e.g. 30s, 10m, 2h, 1d.",
                f"期間 {text!r} を読めません。30s・10m・2h・1d のように指定してください。",
            )
        )
    return int(m.group(1)) * _UNITS[m.group(2) or "s"]


def _time_column(pop: Population, time_column: str | None) -> str:
    name = time_column or pop.first_temporal_column()
    if name is None:
        raise KansaError(
            tr(
                f"{pop.input.dataset} has no timestamp column for --within.",
                f"{pop.input.dataset} には --within に使える日時列がありません。",
            )
        )
    pop.column(name, temporal=True)
    return name


def run_duplicates(
    pop: Population,
    keys: list[str],
    *,
    within: int | None = None,
    time_column: str | None = None,
    fuzzy: bool = False,
    tolerance: float = 0.01,
    similarity: float = 0.9,
    limit: int = 10_000,
) -> Analysis:
    if not keys:
        raise KansaError(
            tr(
                "Name at least one key column (--keys).",
                "キー列を1つ以上指定してください（--keys）。",
            )
        )
    for k in keys:
        pop.column(k)
    tcol = _time_column(pop, time_column) if within is not None or fuzzy else None
    if fuzzy and within is None:
        raise KansaError(
            tr(
                "Fuzzy matching needs a time window (--within), so that it compares neighbours, not every pair.",
                "あいまい一致には時間幅（--within）が必要です（全ての組を比較しないため）。",
            )
        )
    params: dict[str, Any] = {
        "keys": keys,
        "within_seconds": within,
        "time_column": tcol,
        "fuzzy": fuzzy,
    }
    if fuzzy:
        assert tcol is not None and within is not None
        params.update({"tolerance": tolerance, "similarity": similarity})
        return _fuzzy(pop, keys, tcol, within, tolerance, similarity, limit, params)
    return _exact(pop, keys, tcol, within, limit, params)


def _exact(
    pop: Population,
    keys: list[str],
    tcol: str | None,
    within: int | None,
    limit: int,
    params: dict[str, Any],
) -> Analysis:
    kq = ", ".join(quote(k) for k in keys)
    not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in keys)
    if tcol is None or within is None:
        clustered = f"SELECT _row, {kq}, 0 AS cluster FROM population WHERE {not_null}"
    else:
        t = quote(tcol)
        clustered = f"""
            SELECT _row, {kq}, sum(brk) OVER (PARTITION BY {kq} ORDER BY {t}, _row ROWS UNBOUNDED PRECEDING) AS cluster
            FROM (SELECT _row, {kq}, {t},
                    CASE WHEN {t} - lag({t}) OVER (PARTITION BY {kq} ORDER BY {t}, _row) <= INTERVAL {int(within)} SECOND THEN 0 ELSE 1 END AS brk
                  FROM population WHERE {not_null} AND {t} IS NOT NULL)
        """
    cte = f"""WITH c AS ({clustered}),
        g0 AS (SELECT {kq}, cluster, count(*) AS n FROM c GROUP BY ALL HAVING count(*) > 1),
        g AS (SELECT *, row_number() OVER (ORDER BY {kq}, cluster) AS grp FROM g0)"""
    groups, rows_in = pop.one(cte + " SELECT count(*), coalesce(sum(n), 0) FROM g")
    join = " AND ".join(f"g.{quote(k)} = c.{quote(k)}" for k in keys) + " AND g.cluster = c.cluster"
    select = ", ".join(
        [
            "g.grp AS duplicate_group",
            "g.n AS group_size",
            "p._row",
            *pop.record_columns("p"),
        ]
    )
    rows = pop.rows(
        cte
        + f" SELECT {select} FROM c JOIN g ON {join} JOIN population p ON p._row = c._row ORDER BY g.grp, p._row LIMIT {int(limit)}"
    )
    records = Table(
        "records",
        ["duplicate_group", "group_size", "_row", *pop.columns],
        [list(r) for r in rows],
        total=int(rows_in),
    )
    where = f"{pop.input.dataset} on ({', '.join(keys)})" + (f" within {within}s" if within else "")
    return pop.analysis(
        analysis="duplicates",
        title={"en": "Duplicates (exact)", "ja": "重複（完全一致）"},
        parameters={**params, "mode": "exact"},
        summary={"duplicate_groups": int(groups), "records_in_groups": int(rows_in)},
        conclusion={
            "en": f"{int(groups):,} duplicate group(s) holding {int(rows_in):,} records in {where}.",
            "ja": f"{where}: 重複グループ {int(groups):,} 件（レコード {int(rows_in):,} 件）。",
        },
        records=records,
    )


def _key_match(pop: Population, key: str, tolerance: float, similarity: float) -> str:
    a, b = f"a.{quote(key)}", f"b.{quote(key)}"
    kind = pop.columns[key]
    if is_numeric(kind):
        return f"abs(CAST({a} AS DOUBLE) - CAST({b} AS DOUBLE)) <= {float(tolerance)} * greatest(abs(CAST({a} AS DOUBLE)), abs(CAST({b} AS DOUBLE)))"
    if kind.upper() == "VARCHAR":
        return (
            f"({a} = {b} OR jaro_winkler_similarity(lower({a}), lower({b})) >= {float(similarity)})"
        )
    return f"{a} = {b}"


def _fuzzy(
    pop: Population,
    keys: list[str],
    tcol: str,
    within: int,
    tolerance: float,
    similarity: float,
    limit: int,
    params: dict[str, Any],
) -> Analysis:
    t = quote(tcol)
    cols = ", ".join(["_row", t, *(quote(k) for k in keys if k != tcol)])
    match = " AND ".join(_key_match(pop, k, tolerance, similarity) for k in keys)
    exact = " AND ".join(f"a.{quote(k)} = b.{quote(k)}" for k in keys)
    pairs = f"""
        WITH v AS (SELECT {cols} FROM population WHERE {t} IS NOT NULL)
        SELECT a._row AS row_a, b._row AS row_b, b.{t} - a.{t} AS apart, ({exact}) AS exact,
               {", ".join(f"a.{quote(k)} AS {quote(k + '_a')}, b.{quote(k)} AS {quote(k + '_b')}" for k in keys)}
        FROM v a JOIN v b ON b.{t} >= a.{t} AND b.{t} <= a.{t} + INTERVAL {int(within)} SECOND
             AND (b.{t} > a.{t} OR a._row < b._row) AND a._row <> b._row
        WHERE {match}
    """
    total, exact_n = pop.one(f"SELECT count(*), count(*) FILTER (exact) FROM ({pairs})")
    rows = pop.rows(
        f"SELECT * FROM ({pairs}) ORDER BY exact DESC, apart, row_a, row_b LIMIT {int(limit)}"
    )
    columns = ["row_a", "row_b", "apart", "exact", *[f"{k}_{s}" for k in keys for s in ("a", "b")]]
    records = Table("records", columns, [list(r) for r in rows], total=int(total))
    where = f"{pop.input.dataset} on ({', '.join(keys)}) within {within}s"
    near = int(total) - int(exact_n)
    return pop.analysis(
        analysis="duplicates",
        title={"en": "Duplicates (fuzzy)", "ja": "重複（あいまい一致）"},
        parameters={**params, "mode": "fuzzy"},
        summary={"pairs": int(total), "exact_pairs": int(exact_n), "near_pairs": near},
        conclusion={
            "en": f"{int(total):,} pair(s) of near-duplicate records in {where} ({int(exact_n):,} exact, {near:,} near: amounts within {tolerance:.2%}, names with similarity >= {similarity}).",
            "ja": f"{where}: 類似レコードの組 {int(total):,} 件（完全一致 {int(exact_n):,} 件、近似 {near:,} 件：金額差 {tolerance:.2%} 以内、名称類似度 {similarity} 以上）。",
        },
        records=records,
    )
