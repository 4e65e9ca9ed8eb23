"""The run's as-of date when none is given: the latest business day in the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb

from kansa.vault import Snapshot

# Daily datasets whose latest ``as_of`` is the latest day the exchange reported, in order of
# preference (the customer ledger is the book of record).
DAILY_DATASETS = ("customer_balances", "wallet_balances")


def default_as_of(cur: duckdb.DuckDBPyConnection, snapshots: Mapping[str, Snapshot]) -> dt.date:
    """max(as_of) of the first daily dataset that has rows, else today (UTC)."""
    for name in DAILY_DATASETS:
        if name in snapshots:
            ((latest,),) = cur.execute(f'SELECT max(as_of) FROM "{name}"').fetchall()
            if isinstance(latest, dt.date):
                return latest
    return dt.datetime.now(dt.UTC).date()
