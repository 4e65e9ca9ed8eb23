"""The SQL that reads one snapshot as its dataset, filling the contract's absent optional columns.

A contract may gain an optional column after data was ingested (issue 10: ticket kinds, device
classes, service-account authentication). Old snapshots lack it; a control that reads it must
still bind, and must see NULL there (never a made-up value), so it can call the record unproven.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from kansa.contracts import load_contracts


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_select(
    con: duckdb.DuckDBPyConnection, dataset: str, path: Path | Sequence[Path]
) -> str:
    """``SELECT * FROM read_parquet(path)`` plus ``NULL AS col`` for each absent optional column
    (``path`` may be the files of a dated dataset's days: their union)."""
    files = [path] if isinstance(path, Path) else list(path)
    source = "read_parquet([" + ", ".join(_literal(str(f)) for f in files) + "])"
    contract = load_contracts().get(dataset)
    if contract is None:
        return f"SELECT * FROM {source}"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    extra = [
        f"CAST(NULL AS {c.duckdb_type}) AS {_ident(c.name)}"
        for c in contract.columns
        if c.optional and c.name not in present
    ]
    return f"SELECT *{''.join(', ' + e for e in extra)} FROM {source}"
