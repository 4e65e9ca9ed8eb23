"""CUS-008: reserves cover liabilities, the ``kansa reserves check`` figures as a catalog control.

The engine calls ``cus_008(con, params, as_of)`` on its read-only connection; the failing rows
are the assets whose customer-wallet balances fall short of the customer liabilities on
``as_of`` by more than the asset's tolerance (``tolerance_amounts``, none by default; exact
integer comparison in the smallest unit, as in :func:`check_reserves`).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from kansa.errors import KansaError
from kansa.reserves.check import check_reserves


def parse_asset_amounts(text: str) -> dict[str, int]:
    """``"BTC=1000;ETH=5"`` -> ``{"BTC": 1000, "ETH": 5}`` (smallest units, never negative).

    An asset listed twice keeps the lower (stricter) amount, as WDR-003's limits do.
    """
    out: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        asset, sep, amount = (p.strip() for p in item.partition("="))
        if not sep or not asset or not amount.isdigit():
            raise KansaError(
                f"tolerance_amounts: {item!r} is not ASSET=amount (a whole number of the "
                "asset's smallest unit, e.g. BTC=1000)"
            )
        out[asset] = min(int(amount), out.get(asset, int(amount)))
    return out


def cus_008(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], as_of: dt.date
) -> tuple[int, pa.Table]:
    """Population: the assets customers hold on ``as_of``; failing: the short ones."""
    (count,) = con.execute(
        "SELECT count(DISTINCT asset) FROM customer_balances WHERE as_of = ?", [as_of]
    ).fetchall()[0]
    tolerances = parse_asset_amounts(str(params.get("tolerance_amounts") or ""))
    failing = check_reserves(con, as_of, tolerances)
    applied = [tolerances.get(a, 0) for a in failing.column("asset").to_pylist()]
    return int(count), failing.append_column(
        "tolerance_amount", pa.array(applied, pa.decimal128(38, 0))
    )
