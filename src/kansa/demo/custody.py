"""Wallets, keys and addresses with real policies.

UTXO wallets carry a ``wsh(sortedmulti(M, ...))`` output descriptor (BIP 380-386) built from
seeded BIP32 keys (BIP 48 script-type 2 = native segwit multisig), with its checksum, and the
addresses it derives. Ethereum wallets are Safe multisigs whose owners are addresses of seeded
secp256k1 keys. Every key sits with a different person on a different device in a different
location; keyholders were trained and background-checked before their key was assigned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from embit import bip32
from embit.descriptor import Descriptor
from embit.descriptor.checksum import add_checksum

from kansa.demo import ethereum, roster
from kansa.demo.assets import ASSETS, Asset
from kansa.demo.randomness import pystream, secret_bytes
from kansa.demo.world import Person, Row, World

# (suffix, tier, purpose, M, N, receive addresses declared)
WALLET_LAYOUT = (
    ("HOT-1", "hot", "customer", 2, 3, 30),
    ("WARM-1", "warm", "customer", 2, 3, 10),
    ("COLD-S", "cold", "customer", 3, 5, 5),  # short-term cold (FSA request, Sep 2024)
    ("COLD-L", "cold", "customer", 3, 5, 5),  # long-term cold
    ("PG-1", "cold", "performance_guarantee", 3, 5, 3),
    ("HOUSE-1", "hot", "house", 2, 3, 5),
)
SOLO_KEY_WALLET = "BTC-COLD-L"
LOCATIONS = {
    "hot": ("Tokyo DC1 HSM", "Osaka DC2 HSM", "Tokyo DC3 HSM"),
    "warm": ("Tokyo HQ secure room", "Osaka DR site", "Tokyo DC1 secure cage"),
    "cold": (
        "Tokyo HQ vault A",
        "Osaka branch vault",
        "Fukuoka bank safe-deposit box",
        "Sapporo bank safe-deposit box",
        "Nagoya bank safe-deposit box",
    ),
}


@dataclass
class Key:
    fingerprint: str
    person_id: str
    device_id: str
    row: Row


@dataclass
class Wallet:
    wallet_id: str
    asset: Asset
    tier: str
    purpose: str
    threshold: int
    keys: list[Key] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    row: Row = field(default_factory=dict)

    @property
    def main_address(self) -> str:
        return self.addresses[0]


def bip48_path(asset: Asset) -> str:
    return f"48h/{asset.coin_type}h/0h/2h"


def descriptor_key(seed: int, wallet_id: str, index: int, asset: Asset) -> tuple[str, str, str]:
    """(fingerprint, account xpub, descriptor key expression) of one seeded BIP32 key."""
    root = bip32.HDKey.from_seed(secret_bytes(seed, f"bip32:{wallet_id}:{index}", 32))
    account = root.derive("m/" + bip48_path(asset))
    xpub = account.to_public().to_string(asset.network["xpub"])
    fp = root.my_fingerprint.hex()
    return fp, xpub, f"[{fp}/{bip48_path(asset)}]{xpub}/0/*"


def build_custody(world: World) -> list[Wallet]:
    """All wallets of every asset; rows go to wallets, keyholders, wallet_addresses, endpoints."""
    p = world.params
    rng = pystream(p.seed, "custody")
    custodians = world.team("custodian")
    # the last custodian holds a single key (BTC long-term cold, signer 4); the others rotate
    solo, custodians = custodians[-1], custodians[:-1]
    for person in [
        *custodians,
        solo,
    ]:  # keyholders are re-checked every two years at most (KEY-010)
        person.row["background_checked_on"] = p.day(-rng.randint(30, 700))
    wallets: list[Wallet] = []
    rotation = 0
    for asset in ASSETS:
        for suffix, tier, purpose, m, n, n_addr in WALLET_LAYOUT:
            created = p.at(-rng.randint(300, 700), 2 + 6 * rng.random())
            holders = [custodians[(rotation + j) % len(custodians)] for j in range(n)]
            rotation += 3
            if f"{asset.code}-{suffix}" == SOLO_KEY_WALLET:
                holders[3] = solo
            w = Wallet(f"{asset.code}-{suffix}", asset, tier, purpose, m)
            _make_keys(world, w, n, holders, created, rng)
            _make_policy(world, w, n, n_addr, created)
            wallets.append(w)
    world.shared["wallets"] = {w.wallet_id: w for w in wallets}
    return wallets


def _make_keys(
    world: World,
    w: Wallet,
    n: int,
    holders: list[Person],
    created: datetime,
    rng: random.Random,
) -> None:
    seed = world.params.seed
    locations = LOCATIONS["hot" if w.tier == "hot" else w.tier]
    assigned = created - timedelta(days=1)
    for j, person in enumerate(holders):
        if w.asset.policy == "descriptor":
            fp, xpub, _ = descriptor_key(seed, w.wallet_id, j, w.asset)
            path: str | None = "m/" + bip48_path(w.asset).replace("h", "'")
        else:
            fp = ethereum.address_of_secret(secret_bytes(seed, f"eth:{w.wallet_id}:{j}", 32))
            xpub, path = "", None
        device = world.next_id("SGN-", 4)
        location = locations[j % len(locations)]
        world.add(
            "endpoints",
            {
                "device_id": device,
                "person_id": person.person_id,
                "device_type": "signing_device",
                "signing_access": True,
                "edr_installed": True,
                "edr_last_seen": world.params.at(world.params.days - 1, 18 + 5 * rng.random()),
                "untrusted_software": False,
                "location": location,
            },
        )
        row = world.add(
            "keyholders",
            {
                "key_fingerprint": fp,
                "wallet_id": w.wallet_id,
                "person_id": person.person_id,
                "device_id": device,
                "location": location,
                "key_role": "recovery" if j == 4 else "signer",
                "assigned_at": assigned,
                "revoked_at": None,
                "xpub": xpub or None,
                "derivation_path": path,
            },
        )
        roster.train(world, person, "keyholder", (assigned - timedelta(days=7 + j)).date())
        w.keys.append(Key(fp, person.person_id, device, row))


def _make_policy(world: World, w: Wallet, n: int, n_addr: int, created: datetime) -> None:
    seed = world.params.seed
    row: Row = {
        "wallet_id": w.wallet_id,
        "asset": w.asset.code,
        "chain": w.asset.chain,
        "network": "mainnet",
        "tier": w.tier,
        "purpose": w.purpose,
        "policy_type": w.asset.policy,
        "descriptor": None,
        "safe_address": None,
        "safe_owners": None,
        "safe_threshold": None,
        "approved_threshold": w.threshold,
        "approved_keys": n,
        "token_contract": w.asset.token_contract,
        "created_at": created,
    }
    if w.asset.policy == "descriptor":
        exprs = [descriptor_key(seed, w.wallet_id, j, w.asset)[2] for j in range(n)]
        text = add_checksum(f"wsh(sortedmulti({w.threshold},{','.join(exprs)}))")
        row["descriptor"] = text
        desc = Descriptor.from_string(text)
        for i in range(n_addr):
            address = desc.derive(i).address(w.asset.network)
            _declare(world, w, address, i, created + timedelta(hours=1 + i))
    else:
        safe = "0x" + ethereum.keccak256(f"safe:{seed}:{w.wallet_id}".encode())[-20:].hex()
        row["safe_address"] = safe
        row["safe_owners"] = ";".join(sorted(k.fingerprint for k in w.keys))
        row["safe_threshold"] = w.threshold
        _declare(world, w, safe, None, created)
    w.row = world.add("wallets", row)


def _declare(world: World, w: Wallet, address: str, index: int | None, at: datetime) -> None:
    w.addresses.append(address)
    world.add(
        "wallet_addresses",
        {"wallet_id": w.wallet_id, "address": address, "derivation_index": index, "created_at": at},
    )
