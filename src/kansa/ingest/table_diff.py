"""A reference table replaced whole: what changed, by primary key (printed and ledgered).

Staff, wallets, roles and the like are exported whole each time, so an ingest replaces the
table; the diff against the snapshot it replaces says how many rows were added, removed and
changed (same key, another value), with a few keys of each, so that an accidental truncated
export (every leaver "removed") is visible at once instead of at the next run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from kansa.contracts import Contract
from kansa.ingest.engine import quote_ident, quote_literal
from kansa.vault import Snapshot
from kansa.vault.parts import read_parquet_sql

SAMPLE = 5


def _struct(alias: str, columns: list[str]) -> str:
    return "{" + ", ".join(f"{quote_literal(c)}: {alias}.{quote_ident(c)}" for c in columns) + "}"


def diff_by_key(
    con: duckdb.DuckDBPyConnection, contract: Contract, new: Path, old: Snapshot | None
) -> dict[str, Any] | None:
    """Counts and sample keys of rows added, removed and changed; None without a key or a
    previous snapshot (or one whose columns no longer match the contract)."""
    if old is None or not contract.primary_key or old.dated:
        return None
    key = list(contract.primary_key)
    rest = [c for c in contract.column_names if c not in key]
    on = " AND ".join(f"n.{quote_ident(k)} IS NOT DISTINCT FROM o.{quote_ident(k)}" for k in key)
    keys = (
        "concat_ws('|', "
        + ", ".join(f"coalesce(x.{quote_ident(k)}::VARCHAR, '')" for k in key)
        + ")"
    )
    changed = f"{_struct('n', rest)} IS DISTINCT FROM {_struct('o', rest)}" if rest else "false"
    sql = f"""
        WITH j AS (
          SELECT CASE WHEN o.__old IS NULL THEN 'added' WHEN n.__new IS NULL THEN 'removed'
                      WHEN {changed} THEN 'changed' END AS kind,
                 CASE WHEN n.__new IS NULL THEN {_struct("o", key)} ELSE {_struct("n", key)} END AS x
          FROM (SELECT *, true AS __new FROM read_parquet({quote_literal(str(new))})) n
          FULL JOIN (SELECT *, true AS __old FROM {read_parquet_sql(old)}) o ON {on}
        )
        SELECT kind, count(*), list({keys} ORDER BY {keys})[1:{SAMPLE}]
        FROM j WHERE kind IS NOT NULL GROUP BY kind
    """
    try:
        rows = con.execute(sql).fetchall()
    except duckdb.Error:
        return None
    found = {kind: (int(n), list(sample)) for kind, n, sample in rows}
    out: dict[str, Any] = {"key": key, "base": old.sha256, "rows_before": old.rows}
    for kind in ("added", "removed", "changed"):
        n, sample = found.get(kind, (0, []))
        out[kind] = n
        out[f"{kind}_keys"] = sample
    return out
