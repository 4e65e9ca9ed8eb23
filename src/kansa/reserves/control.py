"""CUS-008: reserves cover liabilities, the ``kansa reserves check`` figures as a catalog control.

The engine calls ``cus_008(con, params, as_of)`` on its read-only connection; the failing rows
are the assets whose customer-wallet balances fall short of the customer liabilities on
``as_of`` (exact integer comparison in the smallest unit, as in :func:`check_reserves`).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from kansa.reserves.check import check_reserves


def cus_008(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], as_of: dt.date
) -> tuple[int, pa.Table]:
    """Population: the assets customers hold on ``as_of``; failing: the short ones."""
    (count,) = con.execute(
        "SELECT count(DISTINCT asset) FROM customer_balances WHERE as_of = ?", [as_of]
    ).fetchall()[0]
    return int(count), check_reserves(con, as_of)
