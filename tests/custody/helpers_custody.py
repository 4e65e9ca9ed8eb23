"""A small custody world built with embit (an implementation independent of ours): seeded
signers, real descriptors, addresses derived by embit, keyholders, staff.

``clean_world()`` passes every check; tests copy it and break one thing at a time.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import duckdb
from embit import bip32
from embit.descriptor import Descriptor as EmbitDescriptor
from embit.descriptor.checksum import add_checksum
from embit.networks import NETWORKS

from kansa.controls.fixtures import contract_database, insert_rows

AS_OF = dt.date(2026, 11, 20)
CREATED = "2026-01-05T00:00:00Z"
EMBIT_NET = {
    "mainnet": NETWORKS["main"],
    "testnet": NETWORKS["test"],
    # as the demo tells embit about Litecoin: bech32 "ltc", xpub like Bitcoin
    "litecoin": dict(NETWORKS["main"], name="Litecoin", bech32="ltc"),
}


@dataclass(frozen=True)
class Signer:
    name: str
    fingerprint: str
    key: str  # key expression with origin and /<0;1>/*
    xpub: str  # account xpub (what the keyholder registers)


def signer(name: str, network: str = "mainnet", account: int = 0) -> Signer:
    """A signer whose seed is derived from its name (deterministic, no randomness); its key is
    the BIP 48 account ``account`` of that seed."""
    seed = hashlib.sha256(f"kansa-test-signer:{name}".encode()).digest()
    root = bip32.HDKey.from_seed(seed, version=EMBIT_NET[network]["xprv"])
    coin = {"mainnet": "0h", "testnet": "1h", "litecoin": "2h"}[network]
    path = f"48h/{coin}/{account}h/2h"
    xpub = root.derive(f"m/{path}").to_public().to_base58()
    fp = root.my_fingerprint.hex()
    return Signer(name, fp, f"[{fp}/{path}]{xpub}/<0;1>/*", xpub)


def multisig(k: int, signers: list[Signer]) -> str:
    return add_checksum(f"wsh(sortedmulti({k},{','.join(s.key for s in signers)}))")


def embit_address(descriptor: str, index: int, branch: int, network: str) -> str:
    derived = EmbitDescriptor.from_string(descriptor).derive(index, branch_index=branch)
    return str(derived.script_pubkey().address(EMBIT_NET[network]))


def _wallet(
    wallet_id: str, tier: str, k: int, names: list[str], network: str = "mainnet"
) -> tuple[dict[str, Any], list[Signer]]:
    """``network`` is mainnet, testnet (Bitcoin) or litecoin (Litecoin mainnet)."""
    signers = [signer(n, network) for n in names]
    litecoin = network == "litecoin"
    row = {
        "wallet_id": wallet_id,
        "asset": "LTC" if litecoin else "BTC",
        "chain": "litecoin" if litecoin else "bitcoin",
        "network": "mainnet" if litecoin else network,
        "tier": tier,
        "purpose": "customer",
        "policy_type": "descriptor",
        "descriptor": multisig(k, signers),
        "approved_threshold": k,
        "approved_keys": len(signers),
        "created_at": CREATED,
    }
    return row, signers


SAFE_OWNERS = [f"0x{hashlib.sha256(f'owner{i}'.encode()).hexdigest()[:40]}" for i in range(4)]
SAFE_ADDRESS = "0x" + "Ab" * 20


def clean_world() -> dict[str, list[dict[str, Any]]]:
    """Rows per dataset: 3 BTC descriptor wallets (cold 3-of-5, warm 2-of-3, hot testnet
    2-of-3) and one cold Safe 3-of-4, every key with its own person and device."""
    wallets: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    keyholders: list[dict[str, Any]] = []
    staff: list[dict[str, Any]] = []
    plan = [
        ("BTC-COLD-1", "cold", 3, [f"cold{i}" for i in range(5)], "mainnet"),
        ("BTC-WARM-1", "warm", 2, [f"warm{i}" for i in range(3)], "mainnet"),
        ("BTC-HOT-T", "hot", 2, [f"hot{i}" for i in range(3)], "testnet"),
        ("LTC-WARM-1", "warm", 2, [f"ltc{i}" for i in range(3)], "litecoin"),
    ]
    for wallet_id, tier, k, names, network in plan:
        row, signers = _wallet(wallet_id, tier, k, names, network)
        wallets.append(row)
        for index, branch in [(0, 0), (1, 0), (2, 0), (0, 1), (5, 1)]:
            addresses.append(
                {
                    "wallet_id": wallet_id,
                    "address": embit_address(row["descriptor"], index, branch, network),
                    "derivation_index": index,
                    "created_at": CREATED,
                }
            )
        for n, s in enumerate(signers):
            location = f"{wallet_id}-site{n}" if tier == "cold" else f"{wallet_id}-site{n % 2}"
            keyholders.append(_holder(s.fingerprint, wallet_id, f"P-{s.name}", location, s.xpub))
            staff.append(_person(f"P-{s.name}"))
    wallets.append(
        {
            "wallet_id": "ETH-COLD-SAFE",
            "asset": "ETH",
            "chain": "ethereum",
            "network": "mainnet",
            "tier": "cold",
            "purpose": "customer",
            "policy_type": "safe",
            "safe_address": SAFE_ADDRESS,
            "safe_owners": ";".join(SAFE_OWNERS),
            "safe_threshold": 3,
            "approved_threshold": 3,
            "approved_keys": 4,
            "created_at": CREATED,
        }
    )
    addresses.append(
        {
            "wallet_id": "ETH-COLD-SAFE",
            "address": SAFE_ADDRESS.lower(),
            "derivation_index": None,
            "created_at": CREATED,
        }
    )
    for n, owner in enumerate(SAFE_OWNERS):
        keyholders.append(_holder(owner, "ETH-COLD-SAFE", f"P-safe{n}", f"safe-site{n}", None))
        staff.append(_person(f"P-safe{n}"))
    return {
        "wallets": wallets,
        "wallet_addresses": addresses,
        "keyholders": keyholders,
        "staff": staff,
        "wallet_state": [safe_state(AS_OF - dt.timedelta(days=1)), safe_state(AS_OF)],
    }


# safe-deployments v1.4.1: Safe singleton and CompatibilityFallbackHandler
SAFE_141 = "0x41675C099F32341bf84BFc5382aF534df5C7461a"
HANDLER_141 = "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99"


def safe_state(day: dt.date, **changes: Any) -> dict[str, Any]:
    """The clean Safe as observed on ``day`` (noon UTC), with ``changes`` applied."""
    row = {
        "wallet_id": "ETH-COLD-SAFE",
        "as_of": day.isoformat(),
        "observed_at": f"{day.isoformat()}T12:00:00Z",
        "block_number": 21_000_000 + day.toordinal() % 10_000,
        "implementation": SAFE_141,
        "owners": ";".join(SAFE_OWNERS),
        "threshold": 3,
        "modules": None,
        "guard": None,
        "fallback_handler": HANDLER_141,
        "nonce": 40,
    }
    row.update(changes)
    return row


def _holder(
    fp: str, wallet_id: str, person: str, location: str, xpub: str | None
) -> dict[str, Any]:
    return {
        "key_fingerprint": fp,
        "wallet_id": wallet_id,
        "person_id": person,
        "device_id": f"D-{person}",
        "location": location,
        "key_role": "signer",
        "assigned_at": "2026-01-05T09:00:00+09:00",
        "revoked_at": None,
        "xpub": xpub,
    }


def _person(person: str) -> dict[str, Any]:
    return {
        "person_id": person,
        "display_name": person,
        "department": "wallet_ops",
        "employment_type": "employee",
        "hired_on": "2025-04-01",
        "left_on": None,
        "background_checked_on": "2025-03-01",
    }


def world_copy() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(_CLEAN)


def database(world: dict[str, list[dict[str, Any]]]) -> duckdb.DuckDBPyConnection:
    """The world in a contract-shaped DuckDB (session zone Asia/Tokyo, to catch date slips)."""
    con = contract_database()
    for dataset, rows in world.items():
        insert_rows(con, dataset, rows)
    return con


def row_of(world: dict[str, list[dict[str, Any]]], dataset: str, **match: Any) -> dict[str, Any]:
    (row,) = [r for r in world[dataset] if all(r.get(k) == v for k, v in match.items())]
    return row


_CLEAN = clean_world()
