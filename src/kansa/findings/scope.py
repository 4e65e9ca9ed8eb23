"""Finding scopes: which part of a control a finding is about.

By default a finding covers the whole control in the workspace (scope ``""``). A workspace can
split a control's findings by some of its key columns in ``kansa.toml``::

    [findings.scope]
    "CUS-001" = ["asset"]        # one finding per asset whose cold share fell short

A scope is written ``column=value`` pairs joined by ``;`` in the configured column order, e.g.
``asset=BTC``; its exception count is the number of exception rows with those values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from kansa.controls import Control
from kansa.errors import KansaError
from kansa.i18n import tr

WHOLE_CONTROL = ""


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def scope_label(columns: Sequence[str], values: Sequence[Any]) -> str:
    return ";".join(f"{c}={'' if v is None else v}" for c, v in zip(columns, values, strict=True))


def scope_counts(path: Path, columns: Sequence[str]) -> dict[str, int]:
    """Scope label -> exception rows, grouped in DuckDB (exception files can be large)."""
    cols = ", ".join(f"CAST({_quote_ident(c)} AS VARCHAR)" for c in columns)
    lit = "'" + str(path).replace("'", "''") + "'"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(
            f"SELECT {cols}, count(*) FROM read_parquet({lit}) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    return {scope_label(columns, row[:-1]): int(row[-1]) for row in rows}


def configured_scopes(
    raw: Mapping[str, Any], catalog: Mapping[str, Control]
) -> dict[str, list[str]]:
    """``[findings.scope]`` from kansa.toml, checked: known controls, columns of their key."""
    table = raw.get("findings", {}).get("scope", {})
    if not isinstance(table, dict):
        raise KansaError(
            tr(
                "[findings.scope] must be a table.",
                "[findings.scope] はテーブルで指定してください。",
            )
        )
    out: dict[str, list[str]] = {}
    for cid, columns in table.items():
        control = catalog.get(cid)
        if control is None:
            raise KansaError(
                tr(
                    f"[findings.scope]: no control {cid}.",
                    f"[findings.scope]: {cid} はありません。",
                )
            )
        if (
            not isinstance(columns, list)
            or not columns
            or any(c not in control.key for c in columns)
        ):
            raise KansaError(
                tr(
                    f"[findings.scope] {cid}: use a list of its key columns {list(control.key)}.",
                    f"[findings.scope] {cid}: キー列 {list(control.key)} のリストで指定してください。",
                )
            )
        out[cid] = [str(c) for c in columns]
    return out
