"""KEY controls on wallets of any chain and policy type: MPC (threshold and parties from the
provider's export), single-key, XRP/Solana/Tron/NEM/Symbol addresses, a Safe holding two assets,
and chains a workspace adds (``chains`` parameter, from kansa.toml [chains])."""

from __future__ import annotations

from typing import Any

from helpers_controls import AS_OF, Fixture

CREATED = "2026-01-05T00:00:00Z"
XRP_ADDR = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"
SOL_ADDR = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TRX_ADDR = "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"
NEM_ADDR = "NDD2CT6LQLIYQ56KIXI3ENTM6EK3D44P5JFXJ4R4"
SYMBOL_ADDR = "NAKIIYW7AXR3YGQBH5L5PF7JUFULUKJYQ5ANH5I"  # symbol_address of NEM_ADDR's public key
EVM_ADDR = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def wallet(wallet_id: str, chain: str, asset: str, **kw: Any) -> dict[str, Any]:
    return {
        "wallet_id": wallet_id,
        "asset": asset,
        "chain": chain,
        "network": "mainnet",
        "tier": "hot",
        "purpose": "customer",
        "policy_type": "mpc",
        "mpc_threshold": 2,
        "mpc_parties": 3,
        "approved_threshold": 2,
        "approved_keys": 3,
        "created_at": CREATED,
        **kw,
    }


def address(wallet_id: str, addr: str) -> dict[str, Any]:
    return {
        "wallet_id": wallet_id,
        "address": addr,
        "derivation_index": None,
        "created_at": CREATED,
    }


def holder(key: str, wallet_id: str, person: str, tier_site: str = "A") -> dict[str, Any]:
    return {
        "key_fingerprint": key,
        "wallet_id": wallet_id,
        "person_id": person,
        "device_id": f"D-{person}",
        "location": f"{tier_site}-{person}",
        "key_role": "signer",
        "assigned_at": CREATED,
        "revoked_at": None,
        "xpub": None,
    }


def test_key001_mpc_and_single_key_policies() -> None:
    fx = Fixture(
        wallets=[
            wallet("XRP-MPC", "xrp", "XRP"),
            wallet("SOL-MPC-2of2", "solana", "SOL", mpc_parties=2),  # export says 2-of-2
            wallet("TRX-MPC-noexport", "tron", "TRX", mpc_threshold=None),
            wallet("NEM-MPC-named", "nem", "XEM", signer_ids="s1;s2;s3"),
            wallet("NEM-MPC-short", "nem", "XEM", signer_ids="s1;s2"),
            wallet(
                "ETH-1KEY",
                "ethereum",
                "ETH",
                policy_type="single_key",
                signer_ids="k1",
                approved_threshold=1,
                approved_keys=1,
            ),
            wallet(
                "ETH-1KEY-noid",
                "ethereum",
                "ETH",
                policy_type="single_key",
                approved_threshold=1,
                approved_keys=1,
            ),
            wallet(
                "FLR-1KEY",
                "flare",
                "FLR",
                policy_type="single_key",
                signer_ids="k9",
                approved_threshold=1,
                approved_keys=1,
            ),
            wallet(
                "XRP-SAFE",
                "xrp",
                "XRP",
                policy_type="safe",
                safe_owners="0x" + "1" * 40,
                safe_threshold=1,
                approved_threshold=1,
                approved_keys=1,
            ),
        ]
    )
    assert fx.keys("KEY-001") == {
        ("SOL-MPC-2of2",),
        ("TRX-MPC-noexport",),
        ("NEM-MPC-short",),
        ("ETH-1KEY-noid",),
        ("FLR-1KEY",),
        ("XRP-SAFE",),
    }
    reasons = {r["wallet_id"]: r["reason"] for r in fx.run("KEY-001").rows()}
    assert "differs from the approved 2-of-3" in reasons["SOL-MPC-2of2"]
    assert "not in the chain registry" in reasons["FLR-1KEY"]
    assert "no Safe wallets on chain xrp" in reasons["XRP-SAFE"]
    # a chain the workspace declares (kansa.toml [chains.flare], passed as a parameter)
    declared = fx.keys("KEY-001", chains="flare=evm:FLR")
    assert ("FLR-1KEY",) not in declared


def test_key002_reads_the_approved_threshold_of_any_policy() -> None:
    fx = Fixture(
        wallets=[
            wallet("MPC-2", "solana", "SOL"),
            wallet(
                "ONE",
                "xrp",
                "XRP",
                policy_type="single_key",
                signer_ids="k",
                approved_threshold=1,
                approved_keys=1,
            ),
        ]
    )
    assert fx.keys("KEY-002") == {("ONE",)}


def test_key003_addresses_follow_their_chain_rule() -> None:
    wallets = [
        wallet("XRP-W", "xrp", "XRP"),
        wallet("SOL-W", "solana", "SOL"),
        wallet("TRX-W", "tron", "TRX"),
        wallet("NEM-W", "nem", "XEM"),
        wallet("XYM-W", "symbol", "XYM"),
        wallet(
            "ETH-W",
            "ethereum",
            "ETH",
            policy_type="single_key",
            signer_ids="k",
            approved_threshold=1,
            approved_keys=1,
        ),
        wallet("BSC-W", "bsc", "BNB"),
    ]
    good = [
        address("XRP-W", XRP_ADDR),
        address("SOL-W", SOL_ADDR),
        address("TRX-W", TRX_ADDR),
        address("NEM-W", NEM_ADDR),
        address("XYM-W", SYMBOL_ADDR),
        address("ETH-W", EVM_ADDR),
        address("BSC-W", EVM_ADDR.lower()),
    ]
    bad = [
        address("XRP-W", XRP_ADDR[:-1] + "U"),  # checksum
        address("SOL-W", TRX_ADDR),  # 25 bytes, not a 32-byte key
        address("TRX-W", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),  # a Bitcoin address
        address("NEM-W", "T" + NEM_ADDR[1:]),  # wrong network byte
        address("XYM-W", NEM_ADDR),  # a NEM address on the Symbol chain
        address("XYM-W", SYMBOL_ADDR[:-1] + "B"),  # checksum
        address("ETH-W", EVM_ADDR[:-1] + "D"),  # EIP-55 checksum broken
    ]
    fx = Fixture(wallets=wallets, wallet_addresses=good + bad)
    failing = fx.keys("KEY-003")
    assert failing == {(a["wallet_id"], a["address"]) for a in bad} | {("BSC-W", EVM_ADDR.lower())}
    assert fx.population("KEY-003") == len(good) + len(bad)
    with_bsc = fx.keys("KEY-003", chains="bsc=evm:BNB")
    assert with_bsc == {(a["wallet_id"], a["address"]) for a in bad}


def test_key009_and_key008_see_mpc_key_shares() -> None:
    wallets = [
        wallet("NAMED", "solana", "SOL", signer_ids="share-a;share-b;share-c"),
        wallet(
            "UNNAMED",
            "xrp",
            "XRP",
            mpc_threshold=1,
            mpc_parties=2,
            approved_threshold=1,
            approved_keys=2,
        ),
        wallet("COLD", "solana", "SOL", tier="cold", signer_ids="share-a;share-x;share-y"),
    ]
    holders = [
        holder("share-a", "NAMED", "P1"),
        holder("share-b", "NAMED", "P2"),
        # share-c has no keyholder
        holder("unnamed#party1", "UNNAMED", "P4"),
        holder("unnamed#party2", "UNNAMED", "P5"),
        holder("share-x", "COLD", "P6"),
        holder("share-y", "COLD", "P7"),
    ]
    fx = Fixture(wallets=wallets, keyholders=holders)
    assert ("NAMED", "share-c") in fx.keys("KEY-009")
    assert not {k for k in fx.keys("KEY-009") if k[0] == "UNNAMED"}
    assert ("share-a",) in fx.keys("KEY-008")  # one share in a hot and a cold wallet


def test_a_safe_holding_eth_and_usdc_keeps_its_key_controls() -> None:
    owners = [f"0x{c * 40}" for c in "123"]
    safe = wallet(
        "SAFE",
        "ethereum",
        "ETH",
        policy_type="safe",
        assets="ETH;USDC",
        safe_address="0x" + "ab" * 20,
        safe_owners=";".join(owners),
        safe_threshold=2,
    )
    fx = Fixture(
        wallets=[safe],
        wallet_addresses=[address("SAFE", "0x" + "AB" * 20)],
        wallet_balances=[
            {"as_of": AS_OF.isoformat(), "wallet_id": "SAFE", "asset": "ETH", "balance": "10"},
            {"as_of": AS_OF.isoformat(), "wallet_id": "SAFE", "asset": "USDC", "balance": "7"},
        ],
        keyholders=[holder(o, "SAFE", f"P{i}") for i, o in enumerate(owners)],
    )
    for cid in ("KEY-001", "KEY-002", "KEY-003", "KEY-005", "KEY-006", "KEY-008", "KEY-009"):
        assert fx.keys(cid) == set(), cid
    assert fx.population("KEY-001") == 1
