"""Gaps and duplicates in sequence numbers (per host, per any partition), inside DuckDB.

A gap is a run of missing numbers between two consecutive present numbers of one partition:
``prev + 1 .. seq - 1``. A duplicate is a number present more than once in one partition.
Missing log records (OPS-003 in the catalog) are exactly such gaps.
"""

from __future__ import annotations

from typing import Any

from kansa.analytics.population import Population
from kansa.analytics.result import Analysis, Table


def run_gaps(
    pop: Population, sequence: str, *, by: str | None = None, limit: int = 10_000
) -> Analysis:
    seq = pop.column(sequence, numeric=True)
    grp = pop.column(by) if by else "NULL"
    ordered = f"""
        WITH s AS (
          SELECT {grp} AS g, {seq} AS seq, lag({seq}) OVER (PARTITION BY {grp} ORDER BY {seq}) AS prev
          FROM population WHERE {seq} IS NOT NULL)
    """
    gap_where = "seq - prev > 1"
    gap_total, missing_total = pop.one(
        ordered + f"SELECT count(*), coalesce(sum(seq - prev - 1), 0) FROM s WHERE {gap_where}"
    )
    gaps = pop.rows(
        ordered
        + f"SELECT g, prev + 1 AS gap_start, seq - 1 AS gap_end, seq - prev - 1 AS missing FROM s WHERE {gap_where} ORDER BY g NULLS FIRST, gap_start LIMIT {int(limit)}"
    )
    dup_sql = f"SELECT {grp} AS g, {seq} AS seq, count(*) AS n FROM population WHERE {seq} IS NOT NULL GROUP BY ALL HAVING count(*) > 1"
    dup_total = int(pop.one(f"SELECT count(*) FROM ({dup_sql})")[0])
    dups = pop.rows(f"SELECT * FROM ({dup_sql}) ORDER BY g NULLS FIRST, seq LIMIT {int(limit)}")
    parts = pop.rows(
        f"SELECT {grp} AS g, count(*), count(DISTINCT {seq}), min({seq}), max({seq}) FROM population WHERE {seq} IS NOT NULL GROUP BY ALL ORDER BY g NULLS FIRST"
    )
    partitions = Table(
        "partitions",
        ["partition", "records", "distinct", "first", "last", "expected", "missing"],
        [
            [g, int(n), int(d), lo, hi, int(hi - lo + 1), int(hi - lo + 1 - d)]
            for g, n, d, lo, hi in parts
        ],
    )
    records = Table(
        "records",
        ["partition", "gap_start", "gap_end", "missing"],
        [list(r) for r in gaps],
        total=int(gap_total),
    )
    duplicates = Table(
        "duplicates", ["partition", "sequence", "count"], [list(r) for r in dups], total=dup_total
    )
    return pop.analysis(
        analysis="gaps",
        title={"en": "Sequence gaps and duplicates", "ja": "連番の欠番・重複"},
        parameters={"sequence": sequence, "by": by},
        summary={
            "partitions": len(parts),
            "gaps": int(gap_total),
            "missing_numbers": int(missing_total),
            "duplicate_numbers": dup_total,
        },
        conclusion=_conclusion(
            pop.input.dataset,
            sequence,
            by,
            int(gap_total),
            int(missing_total),
            dup_total,
            len(parts),
        ),
        tables=[partitions, duplicates],
        records=records,
    )


def _conclusion(
    dataset: str, sequence: str, by: str | None, gaps: int, missing: int, dups: int, parts: int
) -> dict[str, Any]:
    per_en = f" per {by} ({parts} partitions)" if by else ""
    per_ja = f"（{by} 別、{parts} 区分）" if by else ""
    if gaps == 0 and dups == 0:
        return {
            "en": f"{dataset}.{sequence}{per_en} is complete: no gaps and no duplicates.",
            "ja": f"{dataset}.{sequence}{per_ja} に欠番・重複はありません。",
        }
    return {
        "en": f"{dataset}.{sequence}{per_en}: {gaps:,} gap(s) with {missing:,} missing number(s), {dups:,} duplicated number(s). Missing records may mean lost or deleted evidence; each gap is listed.",
        "ja": f"{dataset}.{sequence}{per_ja}: 欠番 {gaps:,} 箇所（計 {missing:,} 番号）、重複 {dups:,} 番号。欠番は証跡の消失・削除の可能性があります。各欠番を一覧にしました。",
    }
