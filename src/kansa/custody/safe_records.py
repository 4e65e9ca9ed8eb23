"""The records the Safe integrity checks read: daily observations, change tickets, signed calls,
loaded from a DuckDB connection on which each dataset is a view named after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import duckdb

from kansa.custody.records import columns_of
from kansa.custody.safe_registry import address_set, one_address


class NotObserved(duckdb.InvalidInputException):
    """Safe wallets exist but ``wallet_state`` holds no observation: no verdict is possible.
    The same kind of error as the SQL controls' ``error('X holds no rows: ...')``, so runners
    and scoring treat every input without rows alike."""


@dataclass(frozen=True)
class SafeConfig:
    """What decides who controls a Safe (the nonce, which moves with every transaction, is not
    part of it). Addresses lower-cased; the zero address reads as none."""

    implementation: str
    owners: frozenset[str]
    threshold: int
    modules: frozenset[str]
    guard: str | None
    fallback_handler: str | None

    def changed_from(self, other: SafeConfig) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True)
class SafeState:
    wallet_id: str
    as_of: dt.date
    observed_at: dt.datetime
    implementation: str
    owners: str
    threshold: int
    modules: str | None
    guard: str | None
    fallback_handler: str | None
    nonce: int

    def config(self) -> SafeConfig:
        return SafeConfig(
            self.implementation.strip().lower(),
            address_set(self.owners),
            self.threshold,
            address_set(self.modules),
            one_address(self.guard),
            one_address(self.fallback_handler),
        )


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    system: str
    status: str
    approved_by: str | None
    approved_at: dt.datetime | None
    deployed_at: dt.datetime | None


@dataclass(frozen=True)
class SignedCall:
    txid: str
    wallet_id: str
    call_type: str
    contract_address: str | None
    call_selector: str | None
    signed_at: dt.datetime
    call_data: str | None = None  # the whole signed call data (hex), when recorded


def has_observations(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM wallet_state").fetchone()
    return bool(row and row[0])


def load_states(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[SafeState]:
    """Observations up to ``as_of``, per wallet in time order."""
    rows = con.execute(
        """
        SELECT wallet_id, as_of, observed_at, implementation, owners, threshold, modules, guard,
               fallback_handler, nonce
        FROM wallet_state WHERE as_of <= ? ORDER BY wallet_id, as_of, observed_at
        """,
        [as_of],
    ).fetchall()
    return [SafeState(*r) for r in rows]


def load_tickets(con: duckdb.DuckDBPyConnection) -> list[Ticket]:
    rows = con.execute(
        "SELECT ticket_id, system, status, approved_by, approved_at, deployed_at "
        "FROM change_tickets ORDER BY ticket_id"
    ).fetchall()
    return [Ticket(*r) for r in rows]


def load_signed_calls(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[SignedCall]:
    """Signed transactions up to ``as_of``; a table without ``call_selector`` at all is
    refused (its calls were never seen)."""
    if "call_selector" not in columns_of(con, "signed_transactions"):
        raise ValueError(
            "signed_transactions has no call_selector column (ingested before it existed): "
            "re-ingest it with the selectors"
        )
    data = "call_data" if "call_data" in columns_of(con, "signed_transactions") else "NULL"
    rows = con.execute(
        f"""
        SELECT txid, wallet_id, call_type, contract_address, call_selector, signed_at, {data}
        FROM signed_transactions
        WHERE CAST((signed_at AT TIME ZONE 'UTC') AS DATE) <= ?
        ORDER BY signed_at, txid
        """,
        [as_of],
    ).fetchall()
    return [SignedCall(*r) for r in rows]
