"""Catalog controls whose logic cannot be SQL: KEY-001 and KEY-003 (descriptors, address
rules), KEY-012 (a Safe's observed state against its approval) and KEY-013 (signed calls that
can change a Safe's configuration).

The engine calls ``fn(con, params, as_of)`` with a read-only DuckDB connection on which every
dataset is a view; each function returns ``(population, failing rows)``, the rows carrying the
control's key columns and the figures behind the verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import pyarrow as pa

from kansa.contracts.assets import Chain, chain_registry, parse_chains
from kansa.custody import checks, safe_records, safe_state
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
    chains = _chains_param(params)
    rows = []
    for wallet in wallets:
        policy = wallet_policy(wallet, chains)
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
    chains = _chains_param(params)
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
        policy = wallet_policy(wallet, chains)
        for v in checks.address_verdicts(wallet, policy, declared, gap_limit, chains):
            if v.reason:
                rows.append(_row(v.record, v.expected_at_declared, gap_limit, v.reason.en))
    return len(addresses), pa.Table.from_pylist(rows, schema=KEY_003_SCHEMA)


KEY_012_SCHEMA = pa.schema(
    [
        ("wallet_id", pa.string()),
        ("as_of", pa.date32()),
        ("check", pa.string()),
        ("expected", pa.string()),
        ("observed", pa.string()),
        ("reason", pa.string()),
    ]
)

KEY_013_SCHEMA = pa.schema(
    [
        ("txid", pa.string()),
        ("wallet_id", pa.string()),
        ("call_type", pa.string()),
        ("contract_address", pa.string()),
        ("call_selector", pa.string()),
        ("signed_at", pa.timestamp("us", tz="UTC")),
        ("reason", pa.string()),
    ]
)


def key_012(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], as_of: dt.date
) -> tuple[int, pa.Table]:
    """KEY-012: each Safe's observed state (``wallet_state``) is its approved configuration and
    changed only under an approved ticket. Population: Safe wallets existing on ``as_of``.

    Safe wallets with an empty ``wallet_state`` mean nobody observed any Safe: that is no
    verdict, so the control raises (the engine records it as not run) instead of passing or
    flagging. No Safe wallet at all is an empty population."""
    known = safe_state.known_singletons(str(params.get("extra_singletons") or ""))
    staleness = _int_param(params, "max_staleness_days", 0)
    safes = [w for w in load_wallets(con, as_of) if w.policy_type == "safe"]
    if safes and not safe_records.has_observations(con):
        raise safe_records.NotObserved(
            f"wallet_state holds no rows: KEY-012 has nothing to test against (none of the "
            f"{len(safes)} Safe wallets was observed)"
        )
    states = safe_records.load_states(con, as_of)
    tickets = safe_records.load_tickets(con)
    rows = []
    for wallet in safes:
        mine = [s for s in states if s.wallet_id == wallet.wallet_id]
        for f in safe_state.wallet_findings(wallet, mine, tickets, as_of, known, staleness):
            rows.append(
                {
                    "wallet_id": f.wallet_id,
                    "as_of": f.as_of,
                    "check": f.check,
                    "expected": f.expected,
                    "observed": f.observed,
                    "reason": f.reason.en,
                }
            )
    return len(safes), pa.Table.from_pylist(rows, schema=KEY_012_SCHEMA)


def key_013(
    con: duckdb.DuckDBPyConnection, params: dict[str, object], as_of: dt.date
) -> tuple[int, pa.Table]:
    """KEY-013: no Safe signs a call that can change its configuration. Population: signed
    transactions of Safe wallets up to ``as_of``."""
    safes = {w.wallet_id for w in load_wallets(con, as_of) if w.policy_type == "safe"}
    calls = [c for c in safe_records.load_signed_calls(con, as_of) if c.wallet_id in safes]
    rows = []
    for c in calls:
        reason = safe_state.config_changing_call(c)
        if reason:
            rows.append(
                {
                    "txid": c.txid,
                    "wallet_id": c.wallet_id,
                    "call_type": c.call_type,
                    "contract_address": c.contract_address,
                    "call_selector": c.call_selector,
                    "signed_at": c.signed_at,
                    "reason": reason,
                }
            )
    return len(calls), pa.Table.from_pylist(rows, schema=KEY_013_SCHEMA)


def _chains_param(params: dict[str, object]) -> dict[str, Chain]:
    """The chain registry with the workspace's chains (parameter ``chains``, filled from
    ``kansa.toml`` ``[chains.NAME]`` by the engine)."""
    return chain_registry(parse_chains(str(params.get("chains") or "")))


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
