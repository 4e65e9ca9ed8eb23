"""Catalog controls whose logic needs descriptors: KEY-001 and KEY-003.

The engine calls ``fn(con, params, as_of)`` with a read-only DuckDB connection on which every
dataset is a view; each function returns ``(population, failing rows)``, the rows carrying the
control's key columns and the figures behind the verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import pyarrow as pa

from kansa.custody import checks
from kansa.custody.policy import wallet_policy
from kansa.custody.records import AddressRecord, load_addresses, load_wallets

KEY_001_SCHEMA = pa.schema(
    [
        ("wallet_id", pa.string()),
        ("policy_type", pa.string()),
        ("tier", pa.string()),
        ("approved_threshold", pa.int64()),
        ("approved_keys", pa.int64()),
        ("actual_threshold", pa.int64()),
        ("actual_keys", pa.int64()),
        ("reason", pa.string()),
    ]
)

KEY_003_SCHEMA = pa.schema(
    [
        ("wallet_id", pa.string()),
        ("address", pa.string()),
        ("derivation_index", pa.int64()),
        ("expected_address", pa.string()),
        ("gap_limit", pa.int64()),
        ("reason", pa.string()),
    ]
)


def key_001(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], as_of: dt.date
) -> tuple[int, pa.Table]:
    """KEY-001: the policy read from the descriptor or Safe configuration equals the approved
    M-of-N. Population: wallets existing at the end of ``as_of``."""
    wallets = load_wallets(con, as_of)
    rows = []
    for wallet in wallets:
        policy = wallet_policy(wallet)
        result = checks.check_policy(wallet, policy)
        if result.status == checks.FAIL:
            rows.append(
                {
                    "wallet_id": wallet.wallet_id,
                    "policy_type": wallet.policy_type,
                    "tier": wallet.tier,
                    **result.figures,
                    "reason": result.reason_text(),
                }
            )
    return len(wallets), pa.Table.from_pylist(rows, schema=KEY_001_SCHEMA)


def key_003(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], as_of: dt.date
) -> tuple[int, pa.Table]:
    """KEY-003: every declared address is derived by its wallet's descriptor (declared index
    first, then indices below ``gap_limit``); a Safe's declared address is the Safe itself.
    Population: addresses declared at the end of ``as_of``."""
    gap_limit = _int_param(params, "gap_limit", checks.AttestParams().gap_limit)
    wallets = {w.wallet_id: w for w in load_wallets(con, as_of)}
    addresses = load_addresses(con, as_of)
    by_wallet: dict[str, list[AddressRecord]] = defaultdict(list)
    for a in addresses:
        by_wallet[a.wallet_id].append(a)
    rows: list[dict[str, object]] = []
    for wallet_id, declared in sorted(by_wallet.items()):
        wallet = wallets.get(wallet_id)
        if wallet is None:
            rows.extend(
                _row(a, None, gap_limit, "no such wallet (as of this date)") for a in declared
            )
            continue
        policy = wallet_policy(wallet)
        for v in checks.address_verdicts(wallet, policy, declared, gap_limit):
            if v.reason:
                rows.append(_row(v.record, v.expected_at_declared, gap_limit, v.reason.en))
    return len(addresses), pa.Table.from_pylist(rows, schema=KEY_003_SCHEMA)


def _row(a: AddressRecord, expected: str | None, gap_limit: int, reason: str) -> dict[str, object]:
    return {
        "wallet_id": a.wallet_id,
        "address": a.address,
        "derivation_index": a.derivation_index,
        "expected_address": expected,
        "gap_limit": gap_limit,
        "reason": reason,
    }


def _int_param(params: dict[str, object], name: str, default: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"parameter {name} must be an integer, not {value!r}")
    return int(value)
