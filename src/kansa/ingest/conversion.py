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
from kansa.ingest.amounts import amount, decimals_sql
from kansa.ingest.datetimes import check_format, parsed
from kansa.ingest.engine import quote_ident
from kansa.ingest.problems import MAX_REPORTED, Problem
from kansa.ingest.progress import Reporter
from kansa.ingest.sources import REC, Source
from kansa.ingest.staged import Staged
from kansa.ingest.valuemaps import mapped
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
    decimals: tuple[tuple[str, int], ...] = ()  # the asset decimals table, for the message


@dataclass(frozen=True)
class Rules:
    """The select list of the mapped columns (a converted column is its raw text there, under
    ``raw``, plus a placeholder), then the conversions' steps (see
    :class:`~kansa.ingest.staged.Staged`), then the converted values replacing the placeholders."""

    level1: tuple[str, ...]
    staged: tuple[tuple[str, Conversion, Staged], ...]

    @property
    def conversions(self) -> tuple[Conversion, ...]:
        return tuple(c for _, c, _ in self.staged)

    def checked_sql(self, renamed_sql: str) -> str:
        sql = f"SELECT {REC}, {', '.join(self.level1)} FROM ({renamed_sql})"
        if not self.staged:
            return sql
        for k in range(max(len(st.steps) for _, _, st in self.staged)):
            cols = [
                f"{expr} AS {alias}"
                for _, _, st in self.staged
                if k < len(st.steps)
                for alias, expr in st.steps[k]
            ]
            if cols:
                sql = f"SELECT *, {', '.join(cols)} FROM ({sql})"
        replaced = ", ".join(f"{st.value} AS {name}" for name, _, st in self.staged)
        added = ", ".join(f"{st.bad} AS {c.bad}" for _, c, st in self.staged)
        return f"SELECT * REPLACE ({replaced}), {added} FROM ({sql})"


def rules_sql(
    contract: Contract,
    mapping: DatasetMapping,
    exprs: dict[str, str],
    decimals: dict[str, int],
) -> Rules:
    """The conversion SQL for every contract column (``exprs``: its text before conversion)."""
    dataset = contract.name
    level1: list[str] = []
    staged: list[tuple[str, Conversion, Staged]] = []
    converted: dict[str, str] = {}  # contract column -> alias of its converted value
    amounts: list[tuple[int, str]] = []
    for i, col in enumerate(contract.columns):
        kinds = [k for k in ("values", "formats", "amounts") if col.name in getattr(mapping, k)]
        v = exprs[col.name]
        name = quote_ident(col.name)
        if not kinds:
            level1.append(f"{v} AS {name}")
            continue
        _one_rule(dataset, col.name, kinds, mapping)
        raw, bad, prefix = f"__kansa_raw_{i}", f"__kansa_bad_{i}", f"__kansa_{i}_"
        level1 += [f"{v} AS {raw}", f"CAST(NULL AS VARCHAR) AS {name}"]
        if kinds[0] == "values":
            st = mapped(raw, mapping.values[col.name], prefix)
            staged.append((name, Conversion(col.name, "values", raw, bad), st))
            converted[col.name] = st.value
        elif kinds[0] == "formats":
            formats = mapping.formats[col.name]
            if col.type not in ("date", "timestamp"):
                raise _config(dataset, f"formats.{col.name}", "date or timestamp columns only")
            for f in formats:
                check_format(f, f"kansa.toml mappings.{dataset}.formats.{col.name}")
            st = parsed(raw, formats, col.type, prefix)
            staged.append((name, Conversion(col.name, "formats", raw, bad, formats=formats), st))
        else:
            if col.type not in ("amount", "signed_amount"):
                raise _config(dataset, f"amounts.{col.name}", "amount columns only")
            amounts.append((i, col.name))
    for i, column in amounts:  # after the others: an amount may read a mapped asset
        units = mapping.amounts[column]
        raw, bad, prefix = f"__kansa_raw_{i}", f"__kansa_bad_{i}", f"__kansa_{i}_"
        dec = _decimals(contract, dataset, column, units, decimals, converted)
        conv = Conversion(
            column,
            "amounts",
            raw,
            bad,
            units=units,
            asset=units.asset_column,
            decimals=tuple(sorted(decimals.items())),
        )
        staged.append((quote_ident(column), conv, amount(raw, dec, prefix)))
    return Rules(tuple(level1), tuple(staged))


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
    contract: Contract,
    dataset: str,
    column: str,
    units: AmountUnits,
    table: dict[str, int],
    converted: dict[str, str],
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
    asset = converted.get(units.asset_column, quote_ident(units.asset_column))
    return decimals_sql(asset, table)


def _config(dataset: str, key: str, what: str) -> ConfigError:
    return ConfigError(
        tr(
            f"kansa.toml mappings.{dataset}.{key}: {what}",
            f"kansa.toml mappings.{dataset}.{key}: {what}",
        )
    )


# -- materialized once ------------------------------------------------------------------------


def materialize(
    con: duckdb.DuckDBPyConnection,
    checked_sql: str,
    contract: Contract,
    conversions: tuple[Conversion, ...],
    reporter: Reporter | None = None,
) -> tuple[str, str]:
    """Convert once into a temporary table (DuckDB spills it into the staging folder when it
    outgrows ``memory_limit``) and return the (checked, mapped) SQL reading it: the conversion
    check, the contract checks, the key checks and the snapshot then read converted columns
    instead of parsing and converting every row again in each pass (on a million mapped rows,
    34 s -> 21 s). Only the contract columns and each conversion's raw text and problem code
    are kept."""
    names = ", ".join(quote_ident(c.name) for c in contract.columns)
    kept = ", ".join(f"{c.raw}, {c.bad}" for c in conversions)
    engine.run(
        con,
        f"CREATE TEMP TABLE __kansa_converted AS SELECT {REC}, {names}, {kept} FROM ({checked_sql})",
        reporter,
    )
    checked = "SELECT * FROM __kansa_converted"
    return checked, f"SELECT {REC}, {names} FROM ({checked})"


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
    return total, as_problems(found, conversions, source, dataset)


def as_problems(
    found: list[Unconverted], conversions: tuple[Conversion, ...], source: Source, dataset: str
) -> list[Problem]:
    """The first unconverted values, in file order, as problems with their lines."""
    if not found:
        return []
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
    return problems[:MAX_REPORTED]


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
    asset = (units.asset or u.asset or "").strip().upper()
    known = dict(conv.decimals).get(asset)
    return f"{asset}: {known}" if known is not None else asset
