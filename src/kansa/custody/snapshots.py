"""Open the latest vault snapshots of the custody registers as DuckDB views."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from kansa.engine.asof import DAILY_DATASETS, default_as_of
from kansa.engine.snapshot_view import snapshot_select
from kansa.vault import Snapshot, Vault

CUSTODY_DATASETS = (
    "wallets",
    "wallet_addresses",
    "keyholders",
    "staff",
    "wallet_state",
    "change_tickets",
    "signed_transactions",
)


@dataclass
class CustodyViews:
    con: duckdb.DuckDBPyConnection
    snapshots: dict[str, Snapshot]

    def default_as_of(self) -> dt.date:
        """The engine's rule: the latest day of the daily datasets, else today (UTC)."""
        return default_as_of(self.con, self.snapshots)


def open_custody_views(vault: Vault) -> CustodyViews:
    """An in-memory DuckDB (UTC session) with one view per custody dataset in the vault."""
    latest = vault.latest_all()
    wanted = {n: s for n, s in latest.items() if n in (*CUSTODY_DATASETS, *DAILY_DATASETS)}
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for name, snap in sorted(wanted.items()):  # absent optional columns read as NULL
        files = [path for path, _ in snap.files]  # a dated dataset: every day's part
        con.execute(f'CREATE VIEW "{name}" AS {snapshot_select(con, name, files)}')
    return CustodyViews(con, wanted)
