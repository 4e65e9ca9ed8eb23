"""Drawing a sample from a snapshot, reproducibly, inside DuckDB.

Every random choice comes from the seed through a documented construction, so anyone holding
the snapshot can re-perform the selection without Kansa:

* ``random``: the n records with the smallest ``md5("SEED:ROW")`` (hex), ROW being the record's
  0-based position in the snapshot file (``_row``): a uniformly random permutation.
* ``systematic``: interval k = floor(N / n); random start s in [1, k]; positions s, s+k, ...
  (1-based, file order or ``--order COL``).
* ``stratified``: allocation proportional to stratum size (largest remainder, Hamilton), then
  ``random`` within each stratum.
* ``mus`` (monetary unit sampling, AICPA Audit Guide *Audit Sampling*, ch. 6): population value
  V = sum of positive amounts in file order, interval J = floor(V / n). ``fixed``: one random
  start s in [1, J], then every J-th monetary unit s, s+J, ... <= V; ``cell``: one random unit in
  each cell [iJ+1, (i+1)J]. A record is selected when a selected unit falls in its cumulative
  range; records of J or more are always selected (top stratum) and may be hit more than once.

Random integers: ``uniform_int(seed, label, i, lo, hi) = lo + int(sha256("SEED:LABEL:I")) mod
(hi - lo + 1)`` (bias below 2^-128 for any range a 38-digit amount can have).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from kansa.analytics.population import Population, decimal_scale, quote
from kansa.analytics.result import Analysis, Table
from kansa.analytics.stratify import case_band, equal_width_bounds
from kansa.errors import KansaError
from kansa.i18n import tr

METHODS = ("random", "systematic", "stratified", "mus")
AUDIT_COLUMNS = {"mus": ["audited_value", "notes"], "attribute": ["deviation", "notes"]}


def uniform_int(seed: int, label: str, i: int, lo: int, hi: int) -> int:
    digest = hashlib.sha256(f"{seed}:{label}:{i}".encode()).hexdigest()
    return lo + int(digest, 16) % (hi - lo + 1)


def random_key(seed: int) -> str:
    """SQL for the selection key of ``random``: md5 of 'SEED:ROW'."""
    return f"md5('{int(seed)}:' || CAST(_row AS VARCHAR))"


@dataclass(frozen=True)
class DrawSpec:
    method: str
    size: int
    seed: int
    amount: str | None = None
    strata: str | None = None
    strata_bands: int | None = None
    order: str | None = None
    selection: str = "fixed"


def largest_remainder(sizes: dict[Any, int], n: int) -> dict[Any, int]:
    """Hamilton's method: proportional quotas, leftover seats to the largest remainders."""
    total = sum(sizes.values())
    quotas = {k: n * v / total for k, v in sizes.items()}
    alloc = {k: min(int(q), sizes[k]) for k, q in quotas.items()}
    order = sorted(sizes, key=lambda k: (-(quotas[k] - int(quotas[k])), str(k)))
    left = n - sum(alloc.values())
    while left > 0:
        progressed = False
        for k in order:
            if left and alloc[k] < sizes[k]:
                alloc[k] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return alloc


def _records(pop: Population, selected_sql: str, extra: list[str], audit: list[str]) -> Table:
    """Join the selection (``_row`` plus ``extra`` columns, ordered) to the full records."""
    data = [f"p.{quote(c)}" for c in pop.columns]
    sql = f"SELECT row_number() OVER (ORDER BY s._row) AS sample_item, s._row, {', '.join(['s.' + quote(e) for e in extra] + data)} FROM ({selected_sql}) s JOIN population p ON p._row = s._row ORDER BY s._row"
    rows = [[*r, *([None] * len(audit))] for r in pop.rows(sql)]
    return Table("records", ["sample_item", "_row", *extra, *pop.columns, *audit], rows)


def _check_size(n: int, population: int) -> None:
    if n < 1:
        raise KansaError(tr("--size must be at least 1.", "--size は 1 以上にしてください。"))
    if n > population:
        raise KansaError(
            tr(
                f"Sample of {n} from {population} records: the sample cannot exceed the population.",
                f"{population} 件から {n} 件は抽出できません（母集団を超えています）。",
            )
        )


def draw_random(pop: Population, spec: DrawSpec) -> tuple[Table, dict[str, Any]]:
    population = int(pop.one("SELECT count(*) FROM population")[0])
    _check_size(spec.size, population)
    sel = f"SELECT _row FROM population ORDER BY {random_key(spec.seed)} LIMIT {spec.size}"
    return _records(pop, sel, [], AUDIT_COLUMNS["attribute"]), {
        "population_records": population,
        "selection_key": "md5('SEED:ROW')",
    }


def draw_systematic(pop: Population, spec: DrawSpec) -> tuple[Table, dict[str, Any]]:
    population = int(pop.one("SELECT count(*) FROM population")[0])
    _check_size(spec.size, population)
    k = population // spec.size
    start = uniform_int(spec.seed, "systematic-start", 0, 1, k)
    order = f"{pop.column(spec.order)}, _row" if spec.order else "_row"
    sel = f"SELECT _row FROM (SELECT _row, row_number() OVER (ORDER BY {order}) AS pos FROM population) WHERE pos >= {start} AND (pos - {start}) % {k} = 0 AND pos < {start} + {spec.size} * {k}"
    return _records(pop, sel, [], AUDIT_COLUMNS["attribute"]), {
        "population_records": population,
        "interval": k,
        "random_start": start,
        "order": spec.order or "_row",
    }


def _stratum_sql(pop: Population, spec: DrawSpec) -> str:
    assert spec.strata is not None
    col = pop.column(spec.strata, numeric=spec.strata_bands is not None)
    if spec.strata_bands is None:
        return f"CAST({col} AS VARCHAR)"
    lo, hi = pop.one(f"SELECT min({col}), max({col}) FROM population")
    uppers = equal_width_bounds(int(lo), int(hi), spec.strata_bands)[1:] if lo is not None else []
    return f"CAST({case_band(col, uppers, pop.columns[spec.strata])} + 1 AS VARCHAR)"


def draw_stratified(pop: Population, spec: DrawSpec) -> tuple[Table, dict[str, Any]]:
    if not spec.strata:
        raise KansaError(
            tr(
                "Stratified sampling needs --strata COLUMN.",
                "層化抽出には --strata 列 が必要です。",
            )
        )
    stratum = _stratum_sql(pop, spec)
    sizes = {
        str(s): int(c)
        for s, c in pop.rows(f"SELECT {stratum} AS s, count(*) FROM population GROUP BY s")
    }
    _check_size(spec.size, sum(sizes.values()))
    alloc = largest_remainder(sizes, spec.size)
    pop.con.execute("CREATE OR REPLACE TEMP TABLE allocation (stratum VARCHAR, quota BIGINT)")
    pop.con.executemany("INSERT INTO allocation VALUES (?, ?)", [[s, q] for s, q in alloc.items()])
    sel = f"""SELECT _row, stratum FROM (
        SELECT _row, {stratum} AS stratum, row_number() OVER (PARTITION BY {stratum} ORDER BY {random_key(spec.seed)}) AS r FROM population) x
        JOIN allocation a USING (stratum) WHERE x.r <= a.quota"""
    allocation = [{"stratum": s, "records": sizes[s], "sample": alloc[s]} for s in sorted(sizes)]
    return _records(pop, sel, ["stratum"], AUDIT_COLUMNS["attribute"]), {
        "population_records": sum(sizes.values()),
        "allocation": allocation,
        "selection_key": "md5('SEED:ROW') within stratum",
    }


def mus_points(seed: int, value: int, interval: int, n: int, selection: str) -> list[int]:
    """Selected monetary units (1-based cumulative positions), ascending."""
    if selection == "fixed":
        start = uniform_int(seed, "mus-start", 0, 1, interval)
        return list(range(start, value + 1, interval))
    if selection == "cell":
        cells = -(-value // interval)
        points = [
            i * interval + uniform_int(seed, "mus-cell", i, 1, interval) for i in range(cells)
        ]
        return [p for p in points if p <= value]
    raise KansaError(
        tr(
            f"Unknown MUS selection {selection!r} (fixed, cell).",
            f"MUS の選択方式 {selection!r} はありません（fixed, cell）。",
        )
    )


def draw_mus(pop: Population, spec: DrawSpec) -> tuple[Table, dict[str, Any]]:
    if not spec.amount:
        raise KansaError(
            tr(
                "MUS needs --amount COLUMN (book values).",
                "MUS には --amount 列（帳簿価額）が必要です。",
            )
        )
    amt = pop.column(spec.amount, numeric=True)
    pop.require_one_unit(spec.amount)
    if decimal_scale(pop.columns[spec.amount]) != 0:
        raise KansaError(
            tr(
                f"MUS counts whole monetary units: {spec.amount} must be an integer amount "
                "(smallest unit, e.g. wei), not a fraction.",
                f"MUS は金額単位（最小単位、例: wei）で数えます。{spec.amount} は整数の金額にしてください。",
            )
        )
    value, positive, excluded, excluded_value = pop.one(
        f"SELECT coalesce(sum({amt}) FILTER ({amt} > 0), 0), count(*) FILTER ({amt} > 0), count(*) FILTER ({amt} IS NULL OR {amt} <= 0), coalesce(sum({amt}) FILTER ({amt} < 0), 0) FROM population"
    )
    value = int(value)
    _check_size(spec.size, int(positive))
    interval = value // spec.size
    if interval < 1:
        raise KansaError(
            tr(
                "The population value is smaller than the sample size.",
                "母集団金額が標本数より小さいです。",
            )
        )
    points = mus_points(spec.seed, value, interval, spec.size, spec.selection)
    pop.con.execute(
        "CREATE OR REPLACE TEMP TABLE mus_points AS SELECT CAST(unnest(?::VARCHAR[]) AS DECIMAL(38,0)) AS point",
        [[str(p) for p in points]],
    )
    sel = f"""
        WITH items AS (
          SELECT _row, {amt} AS book, sum({amt}) OVER (ORDER BY _row ROWS UNBOUNDED PRECEDING) AS cum_to
          FROM population WHERE {amt} > 0)
        SELECT i._row, i.cum_to - i.book + 1 AS units_from, i.cum_to AS units_to, count(*) AS hits,
               min(p.point) AS first_unit, i.book >= CAST('{interval}' AS DECIMAL(38,0)) AS top_stratum
        FROM items i JOIN mus_points p ON p.point > i.cum_to - i.book AND p.point <= i.cum_to
        GROUP BY i._row, i.book, i.cum_to
    """
    table = _records(
        pop,
        sel,
        ["units_from", "units_to", "hits", "first_unit", "top_stratum"],
        AUDIT_COLUMNS["mus"],
    )
    top = sum(1 for r in table.rows if r[table.columns.index("top_stratum")])
    summary = {
        "population_records": int(positive) + int(excluded),
        "population_value": value,
        "sampling_interval": interval,
        "selection": spec.selection,
        "units_selected": len(points),
        "items_selected": len(table.rows),
        "top_stratum_items": top,
        "excluded_zero_negative_or_empty": int(excluded),
        "excluded_negative_value": int(excluded_value),
    }
    if spec.selection == "fixed":
        summary["random_start"] = points[0] if points else None
    return table, summary


DRAWERS = {
    "random": draw_random,
    "systematic": draw_systematic,
    "stratified": draw_stratified,
    "mus": draw_mus,
}


def run_draw(pop: Population, spec: DrawSpec, plan: dict[str, Any] | None = None) -> Analysis:
    """Draw the sample; ``plan`` (confidence, tolerable...) is recorded for the evaluation."""
    if spec.method not in DRAWERS:
        raise KansaError(
            tr(f"Unknown method {spec.method!r}.", f"方式 {spec.method!r} はありません。"),
            hint=", ".join(METHODS),
        )
    table, summary = DRAWERS[spec.method](pop, spec)
    summary = {"sample_items": len(table.rows), **summary}
    kind = "mus" if spec.method == "mus" else "attribute"
    params = {
        "method": spec.method,
        "evaluation": kind,
        "size": spec.size,
        "seed": spec.seed,
        "amount_column": spec.amount,
        "strata": spec.strata,
        "strata_bands": spec.strata_bands,
        "order": spec.order,
        "selection": spec.selection if spec.method == "mus" else None,
        **(plan or {}),
    }
    fill = "audited_value" if kind == "mus" else "deviation (yes/no)"
    return pop.analysis(
        analysis="sample-draw",
        title={"en": f"Sample selection ({spec.method})", "ja": f"標本抽出（{spec.method}）"},
        parameters=params,
        summary=summary,
        conclusion={
            "en": f"{len(table.rows)} records of {pop.input.dataset} selected by {spec.method} sampling with seed {spec.seed}. Fill in {fill} for each item, then run `kansa sample evaluate` on the file.",
            "ja": f"{pop.input.dataset} から {spec.method} 抽出（シード {spec.seed}）で {len(table.rows)} 件を選びました。各項目に {fill} を記入し、`kansa sample evaluate` で評価してください。",
        },
        seed=spec.seed,
        records=table,
    )
