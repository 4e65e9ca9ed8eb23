"""KEY-001 and KEY-003 through the catalog: Python logic (kansa.custody) on contract fixtures.

Descriptors and addresses are built with embit, an implementation independent of Kansa's.
"""

from __future__ import annotations

import hashlib

from embit import bip32
from embit.descriptor import Descriptor
from embit.descriptor.checksum import add_checksum
from embit.networks import NETWORKS
from helpers_controls import Fixture

CREATED = "2026-01-05T00:00:00Z"


def key_expression(name: str) -> str:
    root = bip32.HDKey.from_seed(hashlib.sha256(f"h3b-{name}".encode()).digest())
    account = root.derive("m/48h/0h/0h/2h").to_public().to_base58()
    return f"[{root.my_fingerprint.hex()}/48h/0h/0h/2h]{account}/<0;1>/*"


DESCRIPTOR = add_checksum(f"wsh(sortedmulti(2,{','.join(key_expression(n) for n in 'abc')}))")


def address(index: int) -> str:
    derived = Descriptor.from_string(DESCRIPTOR).derive(index, branch_index=0)
    return str(derived.script_pubkey().address(NETWORKS["main"]))


def wallet(wallet_id: str, **kw: object) -> dict:
    return {
        "wallet_id": wallet_id,
        "asset": "BTC",
        "chain": "bitcoin",
        "network": "mainnet",
        "tier": "cold",
        "purpose": "customer",
        "policy_type": "descriptor",
        "descriptor": DESCRIPTOR,
        "approved_threshold": 2,
        "approved_keys": 3,
        "created_at": CREATED,
        **kw,
    }


def test_key001_deployed_policy_against_the_approved_m_of_n() -> None:
    owners = ";".join("0x" + c * 40 for c in "123")
    fx = Fixture(
        wallets=[
            wallet("ok"),
            wallet("memo_says_3", approved_threshold=3),
            wallet(
                "safe_ok",
                asset="ETH",
                chain="ethereum",
                policy_type="safe",
                descriptor=None,
                safe_address="0x" + "9" * 40,
                safe_owners=owners,
                safe_threshold=2,
            ),
            wallet(
                "safe_lowered",
                asset="ETH",
                chain="ethereum",
                policy_type="safe",
                descriptor=None,
                safe_address="0x" + "8" * 40,
                safe_owners=owners,
                safe_threshold=1,
            ),
        ]
    )
    assert fx.keys("KEY-001") == {("memo_says_3",), ("safe_lowered",)}
    assert fx.population("KEY-001") == 4


def test_key003_declared_addresses_derived_by_the_descriptor() -> None:
    foreign = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP173 example: not this wallet's
    fx = Fixture(
        wallets=[wallet("w")],
        wallet_addresses=[
            {"wallet_id": "w", "address": address(0), "derivation_index": 0, "created_at": CREATED},
            {"wallet_id": "w", "address": address(7), "derivation_index": 7, "created_at": CREATED},
            {"wallet_id": "w", "address": foreign, "derivation_index": 1, "created_at": CREATED},
            # no declared index: found by searching indices below the gap limit
            {"wallet_id": "w", "address": address(12), "created_at": CREATED},
        ],
    )
    assert fx.keys("KEY-003") == {("w", foreign)}
    assert fx.keys("KEY-003", gap_limit=10) == {("w", foreign), ("w", address(12))}
