"""Stratification by value: counts, totals and shares per band, computed inside DuckDB.

Bands (``scheme``):

* ``equal``: ``bands`` bands of equal width over [min, max]. For integer and DECIMAL(p,0)
  columns (wei) the bounds are exact integers: width = ceil((max - min + 1) / bands), band i
  starts at min + i * width. Rows are banded by comparing the column with the bounds typed as
  the column itself (no cast of the column, no floating point: exact beyond 64 bits, and fast).
* ``quantile``: bands holding (about) equal counts; bounds are exact quantiles
  (``quantile_disc``) of the column.
* ``bounds``: the user's own upper bounds (IDEA-style): x < b1, b1 <= x < b2, ..., x >= bn.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, localcontext
from typing import Any

from kansa.analytics.population import Population
from kansa.analytics.result import Analysis, Chart, Table
from kansa.errors import KansaError
from kansa.i18n import tr

SCHEMES = ("equal", "quantile", "bounds")


def equal_width_bounds(lo: int, hi: int, bands: int) -> list[int]:
    """Lower bounds of ``bands`` equal-width integer bands covering [lo, hi]."""
    width = max(1, -(-(hi - lo + 1) // bands))
    return [lo + i * width for i in range(bands) if lo + i * width <= hi]


def case_band(x: str, uppers: list[Any], sql_type: str = "HUGEINT") -> str:
    """SQL: band index 0..len(uppers) for x against ascending exclusive upper bounds."""
    whens = " ".join(f"WHEN {x} < {_lit(u, sql_type)} THEN {i}" for i, u in enumerate(uppers))
    return f"CASE {whens} ELSE {len(uppers)} END" if uppers else "0"


def _lit(v: Any, sql_type: str) -> str:
    """A bound as a literal of the column's own type (so the column is never cast)."""
    if isinstance(v, float):
        return repr(v)
    text = format(v, "f") if isinstance(v, Decimal) else str(int(v))
    return f"CAST('{text}' AS {sql_type})"


def exact_sum(values: Iterable[Any]) -> Any:
    """Sum without rounding: integral decimals as int, others at 80 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 80
        total = sum((v if v is not None else 0 for v in values), start=Decimal(0))
    return int(total) if _integral(total) else total


def _integral(v: Any) -> bool:
    """An integer, or a DECIMAL of scale 0 (e.g. wei), whatever its size."""
    exponent = v.as_tuple().exponent if isinstance(v, Decimal) else None
    return isinstance(v, int) or (isinstance(exponent, int) and exponent >= 0)


def _bounds_for(
    pop: Population, x: str, scheme: str, bands: int, bounds: list[Decimal] | None
) -> list[Any]:
    """Exclusive upper bounds separating the bands."""
    if scheme == "bounds":
        if not bounds:
            raise KansaError(
                tr(
                    "--bounds is required with --scheme bounds.",
                    "--scheme bounds には --bounds が必要です。",
                )
            )
        return sorted(bounds)
    if scheme == "quantile":
        return _quantile_bounds(pop, x, bands)
    lo, hi = pop.one(f"SELECT min({x}), max({x}) FROM population")
    if lo is None:
        return []
    if _integral(lo) and _integral(hi):
        return equal_width_bounds(int(lo), int(hi), bands)[1:]
    width = (hi - lo) / bands
    return [lo + width * i for i in range(1, bands)]


def _quantile_bounds(pop: Population, x: str, bands: int) -> list[Any]:
    """The discrete quantiles i/bands (i = 1..bands-1): the value at position ceil(n * i /
    bands) in sorted order, the SQL standard's PERCENTILE_DISC (what DuckDB's quantile_disc
    returns). Positions are counted in SQL rather than asked of a quantile function because
    SQLGlot rewrites PERCENTILE_DISC for Spark as PERCENTILE_APPROX, an approximation."""
    (n,) = pop.one(f"SELECT count({x}) FROM population")
    positions = sorted({-(-int(n) * i // bands) for i in range(1, bands)} - {0})
    if not positions:
        return []
    ranked = f"SELECT {x} AS v, row_number() OVER (ORDER BY {x}) AS rn FROM population WHERE {x} IS NOT NULL"
    wanted = ", ".join(str(p) for p in positions)
    rows = pop.rows(f"SELECT v FROM ({ranked}) WHERE rn IN ({wanted}) ORDER BY rn")
    return sorted({r[0] for r in rows})


def run_stratify(
    pop: Population,
    column: str,
    *,
    bands: int = 10,
    scheme: str = "equal",
    bounds: list[Decimal] | None = None,
) -> Analysis:
    if scheme not in SCHEMES:
        raise KansaError(
            tr(f"Unknown scheme {scheme!r}.", f"方式 {scheme!r} はありません。"),
            hint=", ".join(SCHEMES),
        )
    if bands < 1:
        raise KansaError(tr("--bands must be at least 1.", "--bands は 1 以上にしてください。"))
    x = pop.column(column, numeric=True)
    pop.require_one_unit(column)
    uppers = _bounds_for(pop, x, scheme, bands, bounds)
    band = f"CASE WHEN {x} IS NULL THEN -1 ELSE {case_band(x, uppers, pop.columns[column])} END"
    sql = f"""
        SELECT {band} AS band, count(*) AS n, sum({x}) AS total, min({x}) AS lo, max({x}) AS hi
        FROM population GROUP BY band ORDER BY band
    """
    got = {int(r[0]): r[1:] for r in pop.rows(sql)}
    empty = int(got.pop(-1, (0,))[0])
    table = _strata_table(uppers, got)
    n_all = sum(int(r[0]) for r in got.values())
    total_all = exact_sum(r[1] for r in got.values())
    return pop.analysis(
        analysis="stratify",
        title={"en": "Stratification by value", "ja": "金額による階層化"},
        parameters={
            "column": column,
            "scheme": scheme,
            "bands": bands,
            "bounds": [str(b) for b in bounds or []],
        },
        summary={
            "records": n_all,
            "empty": empty,
            "total_value": total_all,
            "bands": len(table.rows),
        },
        conclusion=_conclusion(pop, column, table, n_all, total_all),
        tables=[table],
    )


def _strata_table(uppers: list[Any], got: dict[int, tuple[Any, ...]]) -> Table:
    n_all = sum(int(r[0]) for r in got.values()) or 1
    total_all = exact_sum(r[1] for r in got.values()) or 1
    rows: list[list[Any]] = []
    for band in range(len(uppers) + 1):
        n, total, lo, hi = got.get(band, (0, 0, None, None))
        lower = uppers[band - 1] if band > 0 else None
        upper = uppers[band] if band < len(uppers) else None
        rows.append(
            [
                band + 1,
                lower,
                upper,
                int(n),
                int(n) / n_all,
                total,
                float(total) / float(total_all),
                lo,
                hi,
            ]
        )
    cols = [
        "band",
        "from_inclusive",
        "to_exclusive",
        "count",
        "count_share",
        "total_value",
        "value_share",
        "min",
        "max",
    ]
    chart = Chart(
        "Records and value per band / 階層別の件数と金額", "band", ("count_share", "value_share")
    )
    return Table("strata", cols, rows, chart=chart)


def _conclusion(pop: Population, column: str, table: Table, n: int, total: Any) -> dict[str, str]:
    top = max(table.rows, key=lambda r: r[6]) if table.rows else None
    where = f"{pop.input.dataset}.{column}"
    if top is None or n == 0:
        return {"en": f"{where} holds no values.", "ja": f"{where} に値がありません。"}
    en = (
        f"{n:,} records of {where} in {len(table.rows)} bands, total {total}. Band {top[0]} holds the most value: "
        f"{top[3]:,} records ({top[4]:.1%}) carrying {top[6]:.1%} of the total."
    )
    ja = (
        f"{where} の {n:,} 件を {len(table.rows)} 階層に分けました（合計 {total}）。金額が最も大きいのは階層 {top[0]} で、"
        f"{top[3]:,} 件（{top[4]:.1%}）が合計の {top[6]:.1%} を占めます。"
    )
    return {"en": en, "ja": ja}
