"""Reserves against liabilities, per asset and day: the check behind ``kansa reserves check``.

Liabilities are what the exchange owes its customers: the sum of positive customer balances
(a negative balance is the customer's debt and cannot offset what others are owed; the tree
refuses them anyway). Reserves are the on-chain balances of wallets whose purpose is
``customer`` (PSA Art. 63-11(2): customer crypto kept apart from the firm's own, so house and
performance-guarantee wallets do not count). An asset is short when reserves < liabilities,
compared exactly in the smallest unit; the ratio is for reading only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.vault.integrity import require_snapshots
from kansa.vault.parts import read_parquet_sql

DATASETS = ("customer_balances", "wallets", "wallet_balances")

_POSITIONS_SQL = """
WITH liab AS (
    SELECT asset,
           sum(greatest(balance, 0))::DECIMAL(38,0) AS liabilities,
           sum(balance)::DECIMAL(38,0) AS ledger_total
    FROM customer_balances WHERE as_of = $1::DATE GROUP BY asset
), res AS (
    SELECT b.asset, sum(b.balance)::DECIMAL(38,0) AS reserves
    FROM wallet_balances b JOIN wallets w ON w.wallet_id = b.wallet_id
    WHERE b.as_of = $1::DATE AND w.purpose = 'customer'
    GROUP BY b.asset
)
SELECT coalesce(l.asset, r.asset) AS asset,
       $1::DATE AS as_of,
       coalesce(l.liabilities, 0)::DECIMAL(38,0) AS liabilities,
       coalesce(l.ledger_total, 0)::DECIMAL(38,0) AS ledger_total,
       coalesce(r.reserves, 0)::DECIMAL(38,0) AS reserves,
       CASE WHEN coalesce(l.liabilities, 0) = 0 THEN NULL
            ELSE coalesce(r.reserves, 0)::DOUBLE / l.liabilities::DOUBLE END AS ratio
FROM liab l FULL OUTER JOIN res r ON l.asset = r.asset
ORDER BY asset
"""


def reserve_positions(con: duckdb.DuckDBPyConnection, as_of: dt.date | str) -> pa.Table:
    """Every asset of the day: asset, as_of, liabilities, ledger_total, reserves, ratio."""
    return con.sql(_POSITIONS_SQL, params=[str(as_of)]).to_arrow_table()


def check_reserves(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | str,
    tolerances: Mapping[str, int] | None = None,
) -> pa.Table:
    """The assets whose customer-wallet reserves fall short of liabilities on ``as_of``.

    ``con`` has the datasets as views named by dataset (``customer_balances``, ``wallets``,
    ``wallet_balances``). ``tolerances``: a shortfall tolerated per asset, in its smallest unit
    (CUS-008's ``tolerance_amounts``); an asset not named has none. Columns: asset, as_of,
    liabilities, reserves, ratio; no rows = pass.
    """
    tol = dict(tolerances or {})
    sql = f"""
        WITH tol AS (
            SELECT unnest($2::VARCHAR[]) AS asset, unnest($3::DECIMAL(38,0)[]) AS tolerance
        )
        SELECT p.asset, p.as_of, p.liabilities, p.reserves, p.ratio
        FROM ({_POSITIONS_SQL}) p LEFT JOIN tol USING (asset)
        WHERE p.reserves + coalesce(tol.tolerance, 0) < p.liabilities ORDER BY p.asset
    """
    params = [str(as_of), list(tol), [str(v) for v in tol.values()]]
    return con.sql(sql, params=params).to_arrow_table()


def open_views(vault: Vault, datasets: tuple[str, ...] = DATASETS) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with each dataset's latest snapshot as a view of that name, every
    snapshot re-hashed against its ledger entry first."""
    snaps = {}
    for name in datasets:
        snap = vault.latest(name)
        if snap is None:
            raise KansaError(
                tr(f"No {name} snapshot in the vault.", f"{name} のスナップショットがありません。"),
                hint=tr(f"Ingest {name} first.", f"先に {name} を取り込んでください。"),
            )
        snaps[name] = snap
    require_snapshots(snaps.values())
    con = duckdb.connect()
    for name, snap in snaps.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM {read_parquet_sql(snap)}")
    return con


@dataclass(frozen=True)
class AssetPosition:
    """One asset's line of the check, with the tree's liabilities when a tree exists."""

    asset: str
    liabilities: int
    ledger_total: int
    reserves: int
    tree_total: int | None

    @property
    def short(self) -> bool:
        return self.reserves < self.owed

    @property
    def owed(self) -> int:
        """The larger of the tree's and the ledger's liabilities: never understate."""
        return max(self.liabilities, self.tree_total or 0)

    @property
    def ratio(self) -> float | None:
        return None if self.owed == 0 else self.reserves / self.owed

    @property
    def tree_agrees(self) -> bool | None:
        return None if self.tree_total is None else self.tree_total == self.liabilities

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset,
            "liabilities": str(self.owed),
            "ledger_liabilities": str(self.liabilities),
            "ledger_total": str(self.ledger_total),
            "tree_liabilities": None if self.tree_total is None else str(self.tree_total),
            "reserves": str(self.reserves),
            "ratio": self.ratio,
            "short": self.short,
            "tree_agrees_with_ledger": self.tree_agrees,
        }


def positions_with_tree(
    table: pa.Table, tree_assets: list[str] | None, tree_sums: list[str] | None
) -> list[AssetPosition]:
    """Join the day's positions with the tree's root sums (assets missing on a side count 0)."""
    tree = dict(zip(tree_assets or [], (int(s) for s in tree_sums or []), strict=True))
    rows = {r["asset"]: r for r in table.to_pylist()}
    out = []
    for asset in sorted(set(rows) | set(tree)):
        r = rows.get(asset, {})
        out.append(
            AssetPosition(
                asset=asset,
                liabilities=int(r.get("liabilities") or 0),
                ledger_total=int(r.get("ledger_total") or 0),
                reserves=int(r.get("reserves") or 0),
                tree_total=tree.get(asset, 0) if tree_assets is not None else None,
            )
        )
    return out
