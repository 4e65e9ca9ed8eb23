"""Check every row against the contract, in SQL, in streamed passes over the staged data.

A valid file costs one aggregate pass (plus one grouping pass per key). Only when something is
wrong are the first :data:`~kansa.ingest.problems.MAX_REPORTED` offending records fetched (a
top-N, never the whole set) and their physical lines looked up.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from kansa.contracts import Column, Contract
from kansa.i18n import tr
from kansa.ingest import checks, engine
from kansa.ingest.engine import quote_ident
from kansa.ingest.problems import MAX_REPORTED, InvalidData, Problem
from kansa.ingest.progress import Reporter
from kansa.ingest.sources import REC, Source


@dataclass(frozen=True)
class Finding:
    """A problem before its record number is turned into a line."""

    rec: int
    column: str | None
    value: str | None
    expected: str
    other_rec: int | None = None


_TOO_BIG = "size"


def _checked_columns(
    contract: Contract, tz: str | None, max_field_bytes: int
) -> list[tuple[int, Column, str]]:
    """(index, column, SQL giving the problem code) of every column: the contract's checks,
    preceded by the size of the value (``[ingest] max_field_bytes``), which applies to all."""
    out = []
    for i, col in enumerate(contract.columns):
        v = quote_ident(col.name)
        sql = checks.problem_sql(col, v, tz)
        size = f"WHEN strlen({v}) > {max_field_bytes} THEN '{_TOO_BIG}'"
        out.append((i, col, f"CASE {size} ELSE {sql or 'NULL'} END"))
    return out


def _explain(col: Column, code: str, tz: str | None, contract: Contract, limit: int) -> str:
    if code == _TOO_BIG:
        return tr(
            f"a value of at most {limit:,} bytes (its start is shown); raise "
            "ingest.max_field_bytes in kansa.toml if the file is genuine",
            f"{limit:,} バイト以内の値（先頭のみ表示）。正当なファイルなら kansa.toml の "
            "ingest.max_field_bytes を引き上げてください",
        )
    return checks.explain(col, code, tz, contract.name)


def validate(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    mapped_sql: str,
    source: Source,
    tz: str | None,
    reporter: Reporter,
) -> int:
    """Return the row count, or raise :class:`InvalidData` with the first problems."""
    limit = source.limits.max_field_bytes
    cols = _checked_columns(contract, tz, limit)
    checked = (
        f"SELECT {REC}, "
        + ", ".join(
            [quote_ident(c.name) for c in contract.columns]
            + [f"{sql} AS e{i}" for i, _, sql in cols]
        )
        + f" FROM ({mapped_sql})"
    )
    counts = " + ".join(f"count(e{i})" for i, _, _ in cols) or "0"
    reporter.stage(tr("Checking rows", "行を検査中"))
    rows, value_errors = engine.run(con, f"SELECT count(*), {counts} FROM ({checked})", reporter)[0]
    findings: list[Finding] = []
    total = int(value_errors)
    if total:
        findings += _value_findings(con, checked, cols, contract, tz, limit)
    for key in _key_sets(contract):
        reporter.stage(
            tr(f"Checking uniqueness of {', '.join(key)}", f"{', '.join(key)} の一意性を検査中")
        )
        n, found = _duplicates(con, contract, mapped_sql, key, tz, reporter)
        total += n
        findings += found
    if total:
        raise InvalidData(source.display_name, _to_problems(findings, source), total)
    return int(rows)


def _value_findings(
    con: duckdb.DuckDBPyConnection,
    checked: str,
    cols: list[tuple[int, Column, str]],
    contract: Contract,
    tz: str | None,
    limit: int,
) -> list[Finding]:
    any_error = " OR ".join(f"e{i} IS NOT NULL" for i, _, _ in cols)
    fields = ", ".join(f"e{i}, left({quote_ident(c.name)}, 200)" for i, c, _ in cols)
    sql = f"SELECT {REC}, {fields} FROM ({checked}) WHERE {any_error} ORDER BY {REC} LIMIT {MAX_REPORTED}"
    out: list[Finding] = []
    for row in con.execute(sql).fetchall():
        rec = int(row[0])
        for j, (_, col, _) in enumerate(cols):
            code, value = row[1 + 2 * j], row[2 + 2 * j]
            if code is not None:
                out.append(Finding(rec, col.name, value, _explain(col, code, tz, contract, limit)))
    return out


def _key_sets(contract: Contract) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if contract.primary_key:
        keys.append(tuple(contract.primary_key))
    for col in contract.columns:
        if col.unique and (col.name,) not in keys:
            keys.append((col.name,))
    return keys


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    mapped_sql: str,
    key: tuple[str, ...],
    tz: str | None,
    reporter: Reporter,
) -> tuple[int, list[Finding]]:
    """Count records whose key was already seen; fetch the first few with both records.

    Keys compare as typed values (``007`` equals ``7``, ``09:00+09:00`` equals ``00:00Z``);
    records whose key is missing or invalid are skipped here (they are reported already).
    """
    typed = [
        f"{checks.typed_sql(contract.column(k), quote_ident(k), tz, safe=True)} AS k{i}"
        for i, k in enumerate(key)
    ]
    knames = [f"k{i}" for i in range(len(key))]
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in knames)
    keys_only = f"SELECT {', '.join(typed)} FROM ({mapped_sql})"
    count_sql = (
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM ({keys_only}) "
        f"WHERE {not_null} GROUP BY {', '.join(knames)} HAVING count(*) > 1)"
    )
    extra = engine.run(con, count_sql, reporter)[0][0]
    if not extra:
        return 0, []
    # only now number the records (the happy path above never does)
    shown = " || ', ' || ".join(f"coalesce({quote_ident(k)}, '')" for k in key)
    keyed = f"SELECT {REC} AS r, {shown} AS shown, {', '.join(typed)} FROM ({mapped_sql})"
    sql = (
        f"WITH k AS MATERIALIZED ({keyed}), "
        f"d AS (SELECT {', '.join(knames)}, min(r) AS first FROM k WHERE {not_null} "
        f"GROUP BY {', '.join(knames)} HAVING count(*) > 1) "
        f"SELECT k.r, d.first, left(k.shown, 200) FROM k JOIN d USING ({', '.join(knames)}) "
        f"WHERE k.r > d.first ORDER BY k.r LIMIT {MAX_REPORTED}"
    )
    label = ", ".join(key)
    found = [
        Finding(int(r), label, shown, "", other_rec=int(first))
        for r, first, shown in con.execute(sql).fetchall()
    ]
    return int(extra), found


def _to_problems(findings: list[Finding], source: Source) -> list[Problem]:
    findings = sorted(findings, key=lambda f: f.rec)[:MAX_REPORTED]
    recs = {f.rec for f in findings} | {f.other_rec for f in findings if f.other_rec is not None}
    lines = source.lines_for(recs)
    out = []
    for f in findings:
        expected = f.expected
        if f.other_rec is not None:
            other = lines.get(f.other_rec)
            where = (
                tr(f"line {other}", f"{other}行目")
                if other
                else tr(f"row {f.other_rec + 1}", f"{f.other_rec + 1}件目")
            )
            expected = tr(
                f"a unique key ({f.column}); {where} has the same key",
                f"一意のキー（{f.column}）ですが、{where} と重複しています",
            )
        out.append(
            Problem(source.display_name, lines.get(f.rec), f.rec + 1, f.column, f.value, expected)
        )
    return out
