"""KEY-001 and KEY-003 as the engine calls them: ``fn(con, params, as_of)`` on a DuckDB whose
datasets are tables shaped like the contracts, with descriptors and addresses made by embit."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from helpers_custody import (
    AS_OF,
    SAFE_ADDRESS,
    database,
    embit_address,
    multisig,
    row_of,
    signer,
    world_copy,
)

from kansa.custody.controls import key_001, key_003


def _rows(table: pa.Table) -> dict[str, dict[str, Any]]:
    return {r["wallet_id"]: r for r in table.to_pylist()}


def test_key_001_clean_world_has_no_exceptions() -> None:
    population, failing = key_001(database(world_copy()), {}, AS_OF)
    assert population == 5
    assert failing.num_rows == 0
    assert failing.schema.names[0] == "wallet_id"


def test_key_001_flags_each_policy_that_differs_from_its_approval() -> None:
    world = world_copy()
    cold = row_of(world, "wallets", wallet_id="BTC-COLD-1")
    cold["descriptor"] = multisig(2, [signer(f"cold{i}") for i in range(5)])  # 2-of-5 deployed
    warm = row_of(world, "wallets", wallet_id="BTC-WARM-1")
    warm["approved_keys"] = 4  # approved 2-of-4, deployed 2-of-3
    hot = row_of(world, "wallets", wallet_id="BTC-HOT-T")
    hot["descriptor"] = hot["descriptor"][:-1] + ("q" if hot["descriptor"][-1] != "q" else "p")
    safe = row_of(world, "wallets", wallet_id="ETH-COLD-SAFE")
    safe["safe_threshold"] = 1  # someone lowered the Safe's threshold
    population, failing = key_001(database(world), {}, AS_OF)
    rows = _rows(failing)
    assert population == 5
    assert set(rows) == {"BTC-COLD-1", "BTC-WARM-1", "BTC-HOT-T", "ETH-COLD-SAFE"}
    assert (rows["BTC-COLD-1"]["actual_threshold"], rows["BTC-COLD-1"]["approved_threshold"]) == (
        2,
        3,
    )
    assert (rows["BTC-WARM-1"]["actual_keys"], rows["BTC-WARM-1"]["approved_keys"]) == (3, 4)
    assert rows["BTC-HOT-T"]["actual_threshold"] is None
    assert "checksum mismatch" in rows["BTC-HOT-T"]["reason"]
    assert (rows["ETH-COLD-SAFE"]["actual_threshold"], rows["ETH-COLD-SAFE"]["actual_keys"]) == (
        1,
        4,
    )


def test_key_001_counts_only_wallets_existing_on_the_as_of_date() -> None:
    world = world_copy()
    row_of(world, "wallets", wallet_id="BTC-WARM-1")["created_at"] = "2026-11-21T00:30:00+09:00"
    population, _ = key_001(database(world), {}, AS_OF)  # 2026-11-20 15:30 UTC: counts
    assert population == 5
    row_of(world, "wallets", wallet_id="BTC-WARM-1")["created_at"] = "2026-11-21T09:30:00+09:00"
    population, _ = key_001(database(world), {}, AS_OF)
    assert population == 4


def test_key_001_refuses_a_safe_with_duplicate_owners() -> None:
    world = world_copy()
    safe = row_of(world, "wallets", wallet_id="ETH-COLD-SAFE")
    owners = safe["safe_owners"].split(";")
    safe["safe_owners"] = ";".join([*owners[:3], owners[0].upper().replace("0X", "0x")])
    _, failing = key_001(database(world), {}, AS_OF)
    assert "listed twice" in _rows(failing)["ETH-COLD-SAFE"]["reason"]


def test_key_003_clean_world_has_no_exceptions() -> None:
    population, failing = key_003(database(world_copy()), {"gap_limit": 1000}, AS_OF)
    assert population == 21  # 5 per descriptor wallet (receive and change) + the Safe
    assert failing.num_rows == 0


def test_key_003_finds_a_misindexed_address_and_flags_foreign_ones() -> None:
    world = world_copy()
    cold = row_of(world, "wallets", wallet_id="BTC-COLD-1")["descriptor"]
    warm = row_of(world, "wallets", wallet_id="BTC-WARM-1")["descriptor"]
    world["wallet_addresses"] += [
        # derived at index 7 but declared as 3: still derived by the descriptor
        {
            "wallet_id": "BTC-COLD-1",
            "address": embit_address(cold, 7, 0, "mainnet"),
            "derivation_index": 3,
            "created_at": "2026-02-01T00:00:00Z",
        },
        # the warm wallet's address declared for the cold wallet
        {
            "wallet_id": "BTC-COLD-1",
            "address": embit_address(warm, 1, 0, "mainnet"),
            "derivation_index": 1,
            "created_at": "2026-02-01T00:00:00Z",
        },
        # beyond the gap limit with no index declared
        {
            "wallet_id": "BTC-COLD-1",
            "address": embit_address(cold, 12, 0, "mainnet"),
            "derivation_index": None,
            "created_at": "2026-02-01T00:00:00Z",
        },
        # beyond the gap limit but at its declared index: derived
        {
            "wallet_id": "BTC-COLD-1",
            "address": embit_address(cold, 15, 1, "mainnet"),
            "derivation_index": 15,
            "created_at": "2026-02-01T00:00:00Z",
        },
        # bech32 written in upper case is the same address (BIP 173)
        {
            "wallet_id": "BTC-WARM-1",
            "address": embit_address(warm, 3, 0, "mainnet").upper(),
            "derivation_index": 3,
            "created_at": "2026-02-01T00:00:00Z",
        },
        # not the Safe's address
        {
            "wallet_id": "ETH-COLD-SAFE",
            "address": "0x" + "cd" * 20,
            "derivation_index": None,
            "created_at": "2026-02-01T00:00:00Z",
        },
        # a wallet nobody declared
        {
            "wallet_id": "BTC-GHOST",
            "address": "bc1qghost",
            "derivation_index": 0,
            "created_at": "2026-02-01T00:00:00Z",
        },
    ]
    population, failing = key_003(database(world), {"gap_limit": 10}, AS_OF)
    assert population == 28
    got = {(r["wallet_id"], r["address"]): r for r in failing.to_pylist()}
    assert set(got) == {
        ("BTC-COLD-1", embit_address(warm, 1, 0, "mainnet")),
        ("BTC-COLD-1", embit_address(cold, 12, 0, "mainnet")),
        ("ETH-COLD-SAFE", "0x" + "cd" * 20),
        ("BTC-GHOST", "bc1qghost"),
    }
    foreign = got[("BTC-COLD-1", embit_address(warm, 1, 0, "mainnet"))]
    assert foreign["expected_address"] == embit_address(cold, 1, 0, "mainnet")
    assert foreign["gap_limit"] == 10
    assert got[("ETH-COLD-SAFE", "0x" + "cd" * 20)]["expected_address"] == SAFE_ADDRESS
    assert "no such wallet" in got[("BTC-GHOST", "bc1qghost")]["reason"]


def test_key_003_flags_every_address_of_an_unreadable_descriptor() -> None:
    world = world_copy()
    row_of(world, "wallets", wallet_id="BTC-WARM-1")["descriptor"] = "wsh(sortedmulti(2,nonsense))"
    _, failing = key_003(database(world), {"gap_limit": 5}, AS_OF)
    assert {r["wallet_id"] for r in failing.to_pylist()} == {"BTC-WARM-1"}
    assert failing.num_rows == 5
    assert all("cannot be read" in r["reason"] for r in failing.to_pylist())


def test_key_003_refuses_mainnet_addresses_for_a_testnet_wallet() -> None:
    world = world_copy()
    hot = row_of(world, "wallets", wallet_id="BTC-HOT-T")["descriptor"]
    world["wallet_addresses"].append(
        {
            "wallet_id": "BTC-HOT-T",
            "address": embit_address(hot, 4, 0, "mainnet"),
            "derivation_index": 4,
            "created_at": "2026-02-01T00:00:00Z",
        }
    )
    _, failing = key_003(database(world), {"gap_limit": 20}, AS_OF)
    assert [r["derivation_index"] for r in failing.to_pylist()] == [4]


def test_key_003_ignores_addresses_declared_after_the_as_of_date() -> None:
    world = world_copy()
    world["wallet_addresses"].append(
        {
            "wallet_id": "BTC-WARM-1",
            "address": "bc1qlater",
            "derivation_index": 0,
            "created_at": "2026-11-21T00:00:00Z",
        }
    )
    population, failing = key_003(database(world), {}, AS_OF)
    assert (population, failing.num_rows) == (21, 0)
