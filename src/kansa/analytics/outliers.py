"""Outliers by the modified z-score, robust to the outliers themselves.

Iglewicz, B. and Hoaglin, D. C. (1993), *How to Detect and Handle Outliers*, ASQC Basic
References in Quality Control vol. 16: ``M_i = 0.6745 (x_i - median) / MAD`` where MAD is the
median of ``|x_i - median|``; observations with ``|M_i| > 3.5`` are labelled potential
outliers. (0.6745 is the 0.75 quantile of the standard normal, so that MAD/0.6745 estimates the
standard deviation for normal data.) With ``--log`` the score is taken on log10 of positive
values, which suits amounts spread over many orders of magnitude. A group whose MAD is 0 (more
than half its values equal) cannot be scored and is reported as such.
"""

from __future__ import annotations

from typing import Any

from kansa.analytics.population import Population
from kansa.analytics.result import Analysis, Table

CONSISTENCY = 0.6745  # Iglewicz & Hoaglin (1993)
THRESHOLD = 3.5  # Iglewicz & Hoaglin (1993)


def run_outliers(
    pop: Population,
    column: str,
    *,
    by: str | None = None,
    threshold: float = THRESHOLD,
    log: bool = False,
    limit: int = 10_000,
) -> Analysis:
    col = pop.column(column, numeric=True)
    grp = pop.column(by) if by else "NULL"
    x = f"log10(CAST({col} AS DOUBLE))" if log else f"CAST({col} AS DOUBLE)"
    cond = f"{col} > 0" if log else f"{col} IS NOT NULL"
    base = f"""
        WITH v AS (SELECT _row, {grp} AS g, {x} AS x FROM population WHERE {cond}),
        s AS (SELECT g, count(*) AS n, median(x) AS med, mad(x) AS mad FROM v GROUP BY g),
        scored AS (
          SELECT v._row, v.g, v.x, s.med, s.mad,
                 CASE WHEN s.mad > 0 THEN {CONSISTENCY} * (v.x - s.med) / s.mad END AS m
          FROM v JOIN s ON s.g IS NOT DISTINCT FROM v.g)
    """
    groups = pop.rows(
        base
        + f"SELECT s.g, s.n, s.med, s.mad, (SELECT count(*) FROM scored WHERE scored.g IS NOT DISTINCT FROM s.g AND abs(m) > {threshold}) FROM s ORDER BY s.g NULLS FIRST"
    )
    total = sum(int(r[4]) for r in groups)
    select = ", ".join(
        [
            "p._row",
            "sc.g AS grp",
            "sc.m AS modified_z",
            "sc.med AS group_median",
            "sc.mad AS group_mad",
            *pop.record_columns("p"),
        ]
    )
    rows = pop.rows(
        base
        + f"SELECT {select} FROM scored sc JOIN population p ON p._row = sc._row WHERE abs(sc.m) > {threshold} ORDER BY abs(sc.m) DESC, p._row LIMIT {int(limit)}"
    )
    records = Table(
        "records",
        ["_row", "group", "modified_z", "group_median", "group_mad", *pop.columns],
        [list(r) for r in rows],
        total=total,
    )
    unscorable = [r[0] for r in groups if not r[3]]
    table = Table(
        "groups",
        ["group", "count", "median", "mad", "outliers"],
        [[g, int(n), med, mad, int(k)] for g, n, med, mad, k in groups],
    )
    scored = sum(int(r[1]) for r in groups if r[3])
    where = f"{pop.input.dataset}.{column}" + (f" by {by}" if by else "")
    return pop.analysis(
        analysis="outliers",
        title={"en": "Outliers (modified z-score)", "ja": "外れ値（修正zスコア）"},
        parameters={"column": column, "by": by, "threshold": threshold, "log10": log},
        summary={
            "records_scored": scored,
            "outliers": total,
            "groups": len(groups),
            "groups_not_scorable_mad_zero": [str(g) for g in unscorable],
        },
        conclusion=_conclusion(where, total, scored, threshold, unscorable),
        tables=[table],
        records=records,
    )


def _conclusion(
    where: str, total: int, scored: int, threshold: float, unscorable: list[Any]
) -> dict[str, str]:
    extra_en = f" {len(unscorable)} group(s) could not be scored: MAD is 0." if unscorable else ""
    extra_ja = (
        f" {len(unscorable)} グループは MAD が 0 のため評価できません。" if unscorable else ""
    )
    return {
        "en": f"{total:,} of {scored:,} values of {where} have |modified z| > {threshold} (Iglewicz & Hoaglin 1993) and are listed for follow-up.{extra_en}",
        "ja": f"{where} の {scored:,} 件中 {total:,} 件が |修正zスコア| > {threshold}（Iglewicz & Hoaglin 1993）で、追加調査用に一覧にしました。{extra_ja}",
    }
