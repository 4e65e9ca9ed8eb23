"""Customer withdrawals from the hot wallets, with two approvals and a signed transaction each.

Built column by column from the ledger's withdrawal draws. Every withdrawal is approved by two
distinct approvers (never the requester: customers request their own), every approval precedes
signing, signers are active keys of the hot wallet, payload hashes match end to end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from embit import bech32

from kansa.demo import columns
from kansa.demo.assets import ASSET, Asset
from kansa.demo.custody import Wallet
from kansa.demo.ledger import Book
from kansa.demo.payloads import payload_text, sha256_hex
from kansa.demo.randomness import stream
from kansa.demo.world import Person

SECOND = 1_000_000
HOUR = 3600 * SECOND
# Requests come between 00:30 and 13:30 UTC (09:30-22:30 JST), and the two approvals, signature
# and broadcast follow within 72 minutes (see ``tables``), so a withdrawal's whole story falls on
# one day both in UTC and in Tokyo: a workspace in either zone sees it complete within the period.
FIRST_REQUEST = HOUR // 2
LAST_REQUEST = 13 * HOUR + HOUR // 2


def external_addresses(asset: Asset, n: int, rng: np.random.Generator) -> list[str]:
    """Plausible customer-owned destinations: P2WPKH for UTXO chains, 0x-addresses for Ethereum."""
    raw = rng.integers(0, 256, (n, 20), dtype=np.uint8)
    if asset.chain == "ethereum":
        return columns.hex_strings(raw, "0x").to_pylist()
    hrp = str(asset.network["bech32"])
    return [bech32.encode(hrp, 0, row.tobytes()) for row in raw]


@dataclass
class CustomerFlows:
    """The customer withdrawals of the whole period, one entry per row, in request order."""

    asset: np.ndarray  # index into ``codes``
    codes: list[str]
    customer: np.ndarray
    amount: np.ndarray  # in asset.scale units
    scale: np.ndarray
    requested_us: np.ndarray
    destination: list[str]

    @property
    def size(self) -> int:
        return int(self.asset.size)

    def withdrawal_id(self, i: int) -> str:
        return f"W{i + 1:09d}"

    def smallest_amount(self, i: int) -> int:
        return int(self.amount[i]) * int(self.scale[i])


def collect(books: list[Book], start_us: int, seed: int) -> CustomerFlows:
    """Merge the ledger's draws of every asset and give each a request time and destination."""
    rng = stream(seed, "customer-flows")
    parts = []
    dests: list[np.ndarray] = []
    pools: list[list[str]] = []
    for k, book in enumerate(books):
        day = np.concatenate([d[0] for d in book.draws]).astype(np.int64)
        cust = np.concatenate([d[1] for d in book.draws])
        amount = np.concatenate([d[2] for d in book.draws])
        pool = external_addresses(book.asset, min(max(500, book.holders.size // 50), 20_000), rng)
        pools.append(pool)
        when = start_us + day * 24 * HOUR + rng.integers(FIRST_REQUEST, LAST_REQUEST, day.size)
        parts.append((np.full(day.size, k, np.int8), cust, amount, when))
        dests.append(cust % len(pool))
    asset = np.concatenate([p[0] for p in parts])
    order = np.argsort(np.concatenate([p[3] for p in parts]), kind="stable")
    pool_index = np.concatenate(dests)[order]
    asset = asset[order]
    scales = np.array([b.asset.scale for b in books], np.int64)
    return CustomerFlows(
        asset=asset,
        codes=[b.asset.code for b in books],
        customer=np.concatenate([p[1] for p in parts])[order],
        amount=np.concatenate([p[2] for p in parts])[order],
        scale=scales[asset],
        requested_us=np.concatenate([p[3] for p in parts])[order],
        destination=[pools[a][i] for a, i in zip(asset.tolist(), pool_index.tolist(), strict=True)],
    )


def _hashes(flows: CustomerFlows, hot: list[Wallet]) -> list[str]:
    out = []
    for i, (a, dest) in enumerate(zip(flows.asset.tolist(), flows.destination, strict=True)):
        w = hot[a]
        text = payload_text(
            flows.withdrawal_id(i),
            w.wallet_id,
            w.asset.code,
            dest,
            flows.smallest_amount(i),
            "transfer",
            w.asset.token_contract,
        )
        out.append(sha256_hex(text))
    return out


def tables(
    flows: CustomerFlows, hot: list[Wallet], approvers: list[Person], seed: int
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(withdrawals, withdrawal_approvals, signed_transactions) for the customer flows."""
    rng = stream(seed, "customer-approvals")
    n = flows.size
    ids = columns.numbered("W", np.arange(1, n + 1), 9)
    asset_idx = pa.array(flows.asset.astype(np.int32))
    wallet_ids = pa.array([w.wallet_id for w in hot]).take(asset_idx)
    codes = pa.array(flows.codes).take(asset_idx)
    dest = pa.array(flows.destination, pa.string())
    amount = _amounts(flows)
    hashes = pa.array(_hashes(flows, hot), pa.string())
    requested = flows.requested_us
    withdrawals = pa.table(
        {
            "withdrawal_id": ids,
            "kind": pa.repeat("customer", n),
            "customer_id": columns.numbered("C", flows.customer.astype(np.int64) + 1, 8),
            "wallet_id": wallet_ids,
            "asset": codes,
            "destination_address": dest,
            "amount": amount,
            "requested_by": pa.nulls(n, pa.string()),
            "requested_at": columns.timestamps(requested),
            "request_payload_hash": hashes,
            "status": pa.repeat("broadcast", n),
        }
    )
    first = requested + rng.integers(60 * SECOND, 1800 * SECOND, n)
    second = first + rng.integers(30 * SECOND, 1800 * SECOND, n)
    approvals = _approvals(ids, hashes, first, second, approvers, rng)
    signed_at = second + rng.integers(30 * SECOND, 600 * SECOND, n)
    signed = pa.table(
        {
            "txid": _txids(flows, rng),
            "withdrawal_id": ids,
            "wallet_id": wallet_ids,
            "asset": codes,
            "destination_address": dest,
            "amount": amount,
            "payload_hash": hashes,
            "signer_key_fingerprints": _signers(flows, hot, rng),
            "call_type": pa.repeat("transfer", n),
            "contract_address": pa.array([w.asset.token_contract for w in hot], pa.string()).take(
                asset_idx
            ),
            "signed_at": columns.timestamps(signed_at),
            "broadcast_at": columns.timestamps(signed_at + rng.integers(2, 90, n) * SECOND),
        }
    )
    return withdrawals, approvals, signed


def _amounts(flows: CustomerFlows) -> pa.Array:
    """Smallest units: each row widened by its asset's scale (ETH: gwei to wei)."""
    merged: pa.Array | None = None
    for scale in np.unique(flows.scale):
        arr = columns.amounts(flows.amount, int(scale))
        merged = arr if merged is None else pc.if_else(pa.array(flows.scale == scale), arr, merged)
    return merged if merged is not None else columns.amounts(flows.amount)


def _approvals(
    ids: pa.Array,
    hashes: pa.Array,
    first: np.ndarray,
    second: np.ndarray,
    approvers: list[Person],
    rng: np.random.Generator,
) -> pa.Table:
    n = len(ids)
    k = len(approvers)
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k  # always a different person
    people = pa.array([p.person_id for p in approvers])
    accounts = pa.array([p.accounts["wallet_console"] for p in approvers])
    who = np.empty(2 * n, np.int64)
    who[0::2], who[1::2] = a, b
    when = np.empty(2 * n, np.int64)
    when[0::2], when[1::2] = first, second
    rows = np.repeat(np.arange(n), 2)
    return pa.table(
        {
            "approval_id": columns.numbered("A", np.arange(1, 2 * n + 1), 10),
            "withdrawal_id": ids.take(pa.array(rows)),
            "approver_person_id": people.take(pa.array(who)),
            "approver_account_id": accounts.take(pa.array(who)),
            "decision": pa.repeat("approve", 2 * n),
            "approved_at": columns.timestamps(when),
            "approved_payload_hash": hashes.take(pa.array(rows)),
        }
    )


def _txids(flows: CustomerFlows, rng: np.random.Generator) -> pa.Array:
    raw = rng.integers(0, 256, (flows.size, 32), dtype=np.uint8)
    plain = columns.hex_strings(raw)
    prefixed = columns.hex_strings(raw, "0x")
    ethereum = [i for i, code in enumerate(flows.codes) if ASSET[code].chain == "ethereum"]
    is_eth = pa.array(np.isin(flows.asset, ethereum))
    return pc.if_else(is_eth, prefixed, plain)


def _signers(flows: CustomerFlows, hot: list[Wallet], rng: np.random.Generator) -> pa.Array:
    """Two of the hot wallet's three keys, sorted and ';'-joined."""
    combos = [(0, 1), (0, 2), (1, 2)]
    table = [
        ";".join(sorted((w.keys[i].fingerprint, w.keys[j].fingerprint)))
        for w in hot
        for i, j in combos
    ]
    pick = flows.asset.astype(np.int64) * 3 + rng.integers(0, 3, flows.size)
    return pa.array(table).take(pa.array(pick))
