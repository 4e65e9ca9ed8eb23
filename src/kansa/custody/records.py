"""The custody registers an attestation reads (wallets, wallet_addresses, keyholders, staff),
loaded from a DuckDB connection on which each dataset is a view named after it.

Dates follow the catalog's convention: a timestamp counts on its UTC calendar day, and a key is
active at the end of the as-of date when assigned on or before it and not revoked by then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from kansa.errors import KansaError

if TYPE_CHECKING:
    from kansa.custody.safe_records import SafeState, SignedCall, Ticket
from kansa.i18n import tr


@dataclass(frozen=True)
class WalletRecord:
    wallet_id: str
    asset: str | None
    chain: str | None
    network: str | None
    tier: str | None
    purpose: str | None
    policy_type: str | None
    descriptor: str | None
    safe_address: str | None
    safe_owners: str | None
    safe_threshold: int | None
    approved_threshold: int | None
    approved_keys: int | None
    created_on: dt.date | None
    assets: str | None = None
    mpc_threshold: int | None = None
    mpc_parties: int | None = None
    signer_ids: str | None = None
    approved_implementation: str | None = None
    approved_modules: str | None = None
    approved_guard: str | None = None
    approved_fallback_handler: str | None = None

    def held_assets(self) -> tuple[str, ...]:
        """``asset`` and every ticker of ``assets`` (a Safe may hold ETH and USDC)."""
        tickers = [self.asset or "", *(self.assets or "").split(";")]
        return tuple(dict.fromkeys(t.strip().upper() for t in tickers if t.strip()))


@dataclass(frozen=True)
class AddressRecord:
    wallet_id: str
    address: str
    derivation_index: int | None


@dataclass(frozen=True)
class KeyholderRecord:
    key_fingerprint: str
    wallet_id: str | None
    person_id: str | None
    device_id: str | None
    location: str | None
    key_role: str | None
    assigned_on: dt.date | None
    revoked_on: dt.date | None
    xpub: str | None

    def active_on(self, day: dt.date) -> bool:
        assigned = self.assigned_on is not None and self.assigned_on <= day
        return assigned and (self.revoked_on is None or self.revoked_on > day)


@dataclass
class CustodyBook:
    """Everything one attestation looks at, as of one day."""

    as_of: dt.date
    wallets: list[WalletRecord]
    addresses: list[AddressRecord] = field(default_factory=list)
    keyholders: list[KeyholderRecord] = field(default_factory=list)
    left_on: dict[str, dt.date | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # datasets not present
    states: list[SafeState] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    signed_calls: list[SignedCall] = field(default_factory=list)
    _by_key: dict[str, list[KeyholderRecord]] | None = field(default=None, repr=False)

    def holders_of(self, key_fingerprint: str) -> list[KeyholderRecord]:
        """Keyholder records of one key (fingerprints compared in lower case)."""
        if self._by_key is None:
            self._by_key = {}
            for k in self.keyholders:
                self._by_key.setdefault(k.key_fingerprint.strip().lower(), []).append(k)
        return self._by_key.get(key_fingerprint.strip().lower(), [])


def _business_day(column: str) -> str:
    """The business day of a timestamp: its date in the workspace's zone, which the engine
    sets as ``kansa_tz`` (the same boundary as ``{{ tz }}`` in SQL controls; UTC unset)."""
    return f"CAST(timezone(coalesce(getvariable('kansa_tz'), 'UTC'), {column}) AS DATE)"


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {str(r[0]) for r in rows}


# columns added to the wallets contract after its first version: a snapshot ingested before
# them has none, and reads as empty
WALLET_OPTIONAL_COLUMNS = (
    "assets",
    "mpc_threshold",
    "mpc_parties",
    "signer_ids",
    "approved_implementation",
    "approved_modules",
    "approved_guard",
    "approved_fallback_handler",
)


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {str(r[0]) for r in rows}


def load_wallets(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[WalletRecord]:
    """Wallets that existed at the end of ``as_of``."""
    present = columns_of(con, "wallets")
    optional = ", ".join(c if c in present else f"NULL AS {c}" for c in WALLET_OPTIONAL_COLUMNS)
    rows = con.execute(
        f"""
        SELECT wallet_id, asset, chain, network, tier, purpose, policy_type, descriptor,
               safe_address, safe_owners, safe_threshold, approved_threshold, approved_keys,
               {_business_day("created_at")} AS created_on, {optional}
        FROM wallets
        WHERE created_at IS NULL OR {_business_day("created_at")} <= ?
        ORDER BY wallet_id
        """,
        [as_of],
    ).fetchall()
    return [WalletRecord(*r) for r in rows]


def load_addresses(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[AddressRecord]:
    """Addresses declared at the end of ``as_of``."""
    rows = con.execute(
        f"""
        SELECT wallet_id, address, derivation_index
        FROM wallet_addresses
        WHERE created_at IS NULL OR {_business_day("created_at")} <= ?
        ORDER BY wallet_id, derivation_index, address
        """,
        [as_of],
    ).fetchall()
    return [AddressRecord(*r) for r in rows]


def load_keyholders(con: duckdb.DuckDBPyConnection) -> list[KeyholderRecord]:
    rows = con.execute(
        f"""
        SELECT key_fingerprint, wallet_id, person_id, device_id, location, key_role,
               {_business_day("assigned_at")}, {_business_day("revoked_at")}, xpub
        FROM keyholders ORDER BY key_fingerprint
        """
    ).fetchall()
    return [KeyholderRecord(*r) for r in rows]


def load_left_on(con: duckdb.DuckDBPyConnection) -> dict[str, dt.date | None]:
    return {str(p): d for p, d in con.execute("SELECT person_id, left_on FROM staff").fetchall()}


def load_book(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> CustodyBook:
    """All four registers; only ``wallets`` is required, the others may be missing."""
    present = _views(con)
    if "wallets" not in present:
        raise KansaError(
            tr(
                "No wallets dataset has been ingested.",
                "wallets データセットが取り込まれていません。",
            ),
            hint=tr(
                "Ingest it first: kansa ingest wallets FILE",
                "先に取り込んでください: kansa ingest wallets FILE",
            ),
        )
    book = CustodyBook(as_of, load_wallets(con, as_of))
    _load_safe_inputs(con, book, present)
    if "wallet_addresses" in present:
        book.addresses = load_addresses(con, as_of)
    if "keyholders" in present:
        book.keyholders = load_keyholders(con)
    if "staff" in present:
        book.left_on = load_left_on(con)
    book.missing += [d for d in ("wallet_addresses", "keyholders", "staff") if d not in present]
    return book


def _load_safe_inputs(con: duckdb.DuckDBPyConnection, book: CustodyBook, present: set[str]) -> None:
    """What the Safe checks read; a dataset absent (or, for signed_transactions, ingested
    before it carried call selectors) is listed in ``book.missing``."""
    from kansa.custody import safe_records  # it builds on these records

    if "wallet_state" in present and safe_records.has_observations(con):
        book.states = safe_records.load_states(con, book.as_of)
    else:  # absent, or empty: no Safe was observed at all
        book.missing.append("wallet_state")
    if "change_tickets" in present:
        book.tickets = safe_records.load_tickets(con)
    else:
        book.missing.append("change_tickets")
    try:
        if "signed_transactions" not in present:
            raise ValueError("absent")
        book.signed_calls = safe_records.load_signed_calls(con, book.as_of)
    except ValueError:
        book.missing.append("signed_transactions")
