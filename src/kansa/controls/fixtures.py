"""Small in-memory DuckDB databases shaped like the data contracts.

Used by the control fixture tests and by ``kansa controls lint`` (which binds every query against
empty tables). Tables are created from the contracts' columns and DuckDB types, without NOT NULL
constraints, so a fixture row only names the columns that matter to its case; the rest are NULL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb

from kansa.contracts import load_contracts
from kansa.contracts.model import Contract
from kansa.controls.views import builtin_views, create_views

# A zone far from UTC: a control that casts a timestamp to a date without "AT TIME ZONE 'UTC'"
# gives a different answer here, so the fixture tests catch it.
FIXTURE_TIMEZONE = "Asia/Tokyo"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create an empty table named like the dataset, one column per contract column."""
    cols = ", ".join(f"{quote_ident(c.name)} {c.duckdb_type}" for c in contract.columns)
    con.execute(f"CREATE OR REPLACE TABLE {quote_ident(contract.name)} ({cols})")


def contract_database(
    contracts: Mapping[str, Contract] | None = None,
    *,
    timezone: str = FIXTURE_TIMEZONE,
    as_of: dt.date | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one empty table per contract.

    With ``as_of``, the catalog's shared views are created too, rendered for that date (the
    direct runner re-creates the ones a control reads for the date it runs it at).
    """
    con = duckdb.connect(":memory:")
    con.execute(f"SET TimeZone = '{timezone}'")
    for contract in (contracts or load_contracts()).values():
        create_table(con, contract)
    if as_of is not None:
        create_views(con, builtin_views().values(), as_of)
    return con


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    rows: Iterable[Mapping[str, Any]],
    contracts: Mapping[str, Contract] | None = None,
) -> int:
    """Insert rows given as dicts; values are cast to the contract's column types by DuckDB.

    Strings are accepted for every type (``"2026-11-20T09:00:00+09:00"`` for a timestamp,
    ``"123456789012345678901234"`` for an amount), so fixtures read like the exported files.
    An unknown column is an error: a typo must not silently become NULL.
    """
    contract = (contracts or load_contracts())[dataset]
    types = {c.name: c.duckdb_type for c in contract.columns}
    count = 0
    for row in rows:
        unknown = set(row) - set(types)
        if unknown:
            raise KeyError(f"{dataset}: unknown columns {sorted(unknown)}")
        names = list(row)
        cols = ", ".join(quote_ident(n) for n in names)
        values = ", ".join(f"CAST(? AS {types[n]})" for n in names)
        con.execute(
            f"INSERT INTO {quote_ident(dataset)} ({cols}) VALUES ({values})",
            [_plain(row[n]) for n in names],
        )
        count += 1
    return count


def _plain(value: Any) -> Any:
    # Python ints wider than 64 bits (wei) travel as text and are cast by DuckDB.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return str(value)
    return value
