"""Declarative conversions of a mapping (``values``, ``formats``, ``amounts``) as SQL, and the
pass that reports every value they could not convert.

The conversions run inside the mapped relation DuckDB streams (fast on millions of rows); each
converted column also carries its raw text and a problem code, NULL when the value converted.
:func:`conversion_problems` counts the codes in one aggregate pass and, only when some are set,
fetches the first few with their lines: an unmapped value is listed once with its count and its
first line; an unparsable date or amount by line, column and value. Nothing converts silently to
NULL: a value that fails is an error before any contract check runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from kansa.contracts import Contract
from kansa.errors import ConfigError
from kansa.i18n import tr
from kansa.ingest import engine
from kansa.ingest.amounts import amount_sql, decimals_sql
from kansa.ingest.datetimes import check_format, parsed_sql
from kansa.ingest.engine import quote_ident
from kansa.ingest.problems import MAX_REPORTED, Problem
from kansa.ingest.progress import Reporter
from kansa.ingest.sources import REC, Source
from kansa.ingest.valuemaps import mapped_sql
from kansa.workspace import DatasetMapping
from kansa.workspace.config import AmountUnits


@dataclass(frozen=True)
class Conversion:
    """One converted column: its raw text is column ``raw``, its problem code column ``bad``."""

    column: str
    kind: str  # values | formats | amounts
    raw: str
    bad: str
    formats: tuple[str, ...] = ()
    units: AmountUnits | None = None
    asset: str | None = None  # column holding the asset of an amount (shown when unknown)


@dataclass(frozen=True)
class Rules:
    """The select lists that convert: level 1 (maps, dates, plain), level 2 (amounts, which may
    read the converted asset column of level 1)."""

    level1: tuple[str, ...]
    replaced: tuple[str, ...]
    added: tuple[str, ...]
    conversions: tuple[Conversion, ...]

    def checked_sql(self, renamed_sql: str) -> str:
        first = f"SELECT {REC}, {', '.join(self.level1)} FROM ({renamed_sql})"
        if not self.replaced:
            return first
        return (
            f"SELECT * REPLACE ({', '.join(self.replaced)}), {', '.join(self.added)} FROM ({first})"
        )


def rules_sql(
    contract: Contract,
    mapping: DatasetMapping,
    exprs: dict[str, str],
    decimals: dict[str, int],
) -> Rules:
    """The conversion SQL for every contract column (``exprs``: its text before conversion)."""
    dataset = contract.name
    level1: list[str] = []
    replaced: list[str] = []
    added: list[str] = []
    conversions: list[Conversion] = []
    for i, col in enumerate(contract.columns):
        kinds = [k for k in ("values", "formats", "amounts") if col.name in getattr(mapping, k)]
        v = exprs[col.name]
        name = quote_ident(col.name)
        if not kinds:
            level1.append(f"{v} AS {name}")
            continue
        _one_rule(dataset, col.name, kinds, mapping)
        raw, bad = f"__kansa_raw_{i}", f"__kansa_bad_{i}"
        kind = kinds[0]
        if kind == "values":
            value, code = mapped_sql(v, mapping.values[col.name])
            level1 += [f"{value} AS {name}", f"{v} AS {raw}", f"{code} AS {bad}"]
            conversions.append(Conversion(col.name, kind, raw, bad))
        elif kind == "formats":
            formats = mapping.formats[col.name]
            if col.type not in ("date", "timestamp"):
                raise _config(dataset, f"formats.{col.name}", "date or timestamp columns only")
            for f in formats:
                check_format(f, f"kansa.toml mappings.{dataset}.formats.{col.name}")
            value, code = parsed_sql(v, formats, col.type)
            level1 += [f"{value} AS {name}", f"{v} AS {raw}", f"{code} AS {bad}"]
            conversions.append(Conversion(col.name, kind, raw, bad, formats=formats))
        else:
            units = mapping.amounts[col.name]
            if col.type not in ("amount", "signed_amount"):
                raise _config(dataset, f"amounts.{col.name}", "amount columns only")
            level1.append(f"{v} AS {raw}")
            dec = _decimals(contract, dataset, col.name, units, decimals)
            value, code = amount_sql(raw, dec)
            level1.append(f"CAST(NULL AS VARCHAR) AS {name}")  # replaced in level 2
            replaced.append(f"{value} AS {name}")
            added.append(f"{code} AS {bad}")
            asset = units.asset_column
            conversions.append(Conversion(col.name, kind, raw, bad, units=units, asset=asset))
    return Rules(tuple(level1), tuple(replaced), tuple(added), tuple(conversions))


def _one_rule(dataset: str, column: str, kinds: list[str], mapping: DatasetMapping) -> None:
    if len(kinds) > 1:
        raise _config(
            dataset, column, f"one of values, formats, amounts, not {' and '.join(kinds)}"
        )
    if column in mapping.casts or column in mapping.constants or column in mapping.templates:
        raise _config(
            dataset, column, f"either {kinds[0]} or casts/constants for a column, not both"
        )


def _decimals(
    contract: Contract, dataset: str, column: str, units: AmountUnits, table: dict[str, int]
) -> str | None:
    if units.smallest:
        return None
    if units.decimals is not None:
        return str(units.decimals)
    if units.asset is not None:
        found = table.get(units.asset.upper())
        if found is None:
            raise _config(
                dataset,
                f"amounts.{column}",
                f"asset {units.asset!r} has no known decimals: add [assets.{units.asset.upper()}] "
                "decimals = N",
            )
        return str(found)
    assert units.asset_column is not None
    if units.asset_column not in contract.column_names:
        raise _config(
            dataset,
            f"amounts.{column}.asset_column",
            f"{units.asset_column!r} is no contract column",
        )
    return decimals_sql(quote_ident(units.asset_column), table)


def _config(dataset: str, key: str, what: str) -> ConfigError:
    return ConfigError(
        tr(
            f"kansa.toml mappings.{dataset}.{key}: {what}",
            f"kansa.toml mappings.{dataset}.{key}: {what}",
        )
    )


# -- the check pass ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unconverted:
    """Values of one column that did not convert: ``count`` rows, the first at record ``rec``."""

    column: str
    code: str
    value: str | None
    count: int
    rec: int
    asset: str | None = None


def unconverted(
    con: duckdb.DuckDBPyConnection,
    checked_sql: str,
    conversions: tuple[Conversion, ...],
    reporter: Reporter | None = None,
) -> tuple[int, list[Unconverted]]:
    """Rows whose values did not convert (count), and the first of them: distinct unmapped
    values with their count and first record; other failures row by row, in file order."""
    if not conversions:
        return 0, []
    counts_sql = ", ".join(f"count({c.bad})" for c in conversions)
    counts = engine.run(con, f"SELECT {counts_sql} FROM ({checked_sql})", reporter)[0]
    total = 0
    found: list[Unconverted] = []
    for c, n in zip(conversions, counts, strict=True):
        if not n:
            continue
        if c.kind == "values":
            rows = con.execute(
                f"SELECT {c.raw}, count(*), min({REC}) FROM ({checked_sql}) "
                f"WHERE {c.bad} IS NOT NULL GROUP BY {c.raw} ORDER BY min({REC}) "
                f"LIMIT {MAX_REPORTED}"
            ).fetchall()
            found += [Unconverted(c.column, "unmapped", r[0], int(r[1]), int(r[2])) for r in rows]
            total += len(
                con.execute(
                    f"SELECT DISTINCT {c.raw} FROM ({checked_sql}) WHERE {c.bad} IS NOT NULL"
                ).fetchall()
            )
            continue
        asset = quote_ident(c.asset) if c.asset else "NULL"
        rows = con.execute(
            f"SELECT {REC}, left({c.raw}, 200), {c.bad}, {asset} FROM ({checked_sql}) "
            f"WHERE {c.bad} IS NOT NULL ORDER BY {REC} LIMIT {MAX_REPORTED}"
        ).fetchall()
        found += [Unconverted(c.column, r[2], r[1], 1, int(r[0]), r[3]) for r in rows]
        total += int(n)
    return total, found


def conversion_problems(
    con: duckdb.DuckDBPyConnection,
    checked_sql: str,
    conversions: tuple[Conversion, ...],
    source: Source,
    dataset: str,
    reporter: Reporter | None = None,
) -> tuple[int, list[Problem]]:
    """:func:`unconverted` as problems naming file, line, column and value."""
    total, found = unconverted(con, checked_sql, conversions, reporter)
    if not found:
        return total, []
    by_column = {c.column: c for c in conversions}
    lines = source.lines_for({u.rec for u in found})
    problems = [
        Problem(
            source.display_name,
            lines.get(u.rec),
            u.rec + 1,
            _shown_column(u, by_column[u.column]),
            u.asset if u.code == "asset" else u.value,
            explain(u, by_column[u.column], dataset),
        )
        for u in found
    ]
    problems.sort(key=lambda p: (p.line or p.row or 0, p.column or ""))
    return total, problems[:MAX_REPORTED]


def _shown_column(u: Unconverted, conv: Conversion) -> str:
    """An unknown asset is the asset column's fault, not the amount's."""
    return conv.asset if u.code == "asset" and conv.asset else u.column


def explain(u: Unconverted, conv: Conversion, dataset: str) -> str:
    """What the value should have been, in the user's language."""
    key = f"kansa.toml mappings.{dataset}"
    if u.code == "unmapped":
        return tr(
            f"a value listed in {key}.values.{u.column} ({u.count} row(s) hold this one; "
            "the first is here)",
            f"{key}.values.{u.column} にある値（この値は {u.count} 行、最初の行はここ）",
        )
    if u.code == "format":
        shown = ", ".join(conv.formats)
        return tr(f"a date/time in one of the formats {shown}", f"次の書式の日付・時刻: {shown}")
    if u.code == "amount":
        return tr(
            "an amount such as 1,234.5 (digits, ',' in groups of three, '.' decimals, ¥ or 円)",
            "1,234.5 のような金額（数字、3 桁区切りの ','、小数点 '.'、¥ や 円）",
        )
    if u.code == "asset":
        return tr(
            f"an asset whose decimals are known: add [assets.TICKER] decimals = N to kansa.toml "
            f"(needed for {u.column})",
            f"小数桁数が分かる暗号資産。kansa.toml に [assets.TICKER] decimals = N を追加"
            f"（{u.column} の換算に必要）",
        )
    if u.code == "decimals":
        return tr(
            f"no more decimals than the asset has ({_units(conv, u)}); Kansa never rounds an amount",
            f"資産の小数桁数（{_units(conv, u)}）以内。金額は決して丸めません",
        )
    return tr(
        "an amount of at most 38 digits in the smallest unit (this one overflows)",
        "最小単位で 38 桁以内の金額（桁あふれ）",
    )


def _units(conv: Conversion, u: Unconverted) -> str:
    units = conv.units
    if units is None:
        return ""
    if units.decimals is not None:
        return tr(f"{units.decimals} decimals", f"{units.decimals} 桁")
    if units.smallest:
        return tr("whole smallest units", "最小単位の整数")
    return units.asset or (u.asset or "")
