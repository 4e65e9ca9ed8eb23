"""Version bytes of the two networks a wallet can live on.

Prefixes: Bitcoin Core chainparams.cpp (base58 prefixes, bech32 HRP); BIP 32 for the extended
key versions (xpub/xprv mainnet, tpub/tprv testnet); signet and testnet share encodings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Network:
    name: str
    p2pkh: int
    p2sh: int
    wif: int
    hrp: str
    xpub: bytes
    xprv: bytes


MAINNET = Network(
    "mainnet", 0x00, 0x05, 0x80, "bc", bytes.fromhex("0488B21E"), bytes.fromhex("0488ADE4")
)
TESTNET = Network(
    "testnet", 0x6F, 0xC4, 0xEF, "tb", bytes.fromhex("043587CF"), bytes.fromhex("04358394")
)
NETWORKS = {n.name: n for n in (MAINNET, TESTNET)}

# SLIP-132 versions (ypub, zpub, Ypub, Zpub and testnet/private kin). Descriptors carry the script
# type themselves, so BIP 380 keys use plain xpub/tpub; we name these to refuse them clearly.
SLIP132_PREFIXES = ("ypub", "zpub", "Ypub", "Zpub", "upub", "vpub", "Upub", "Vpub")


def network(name: str) -> Network:
    try:
        return NETWORKS[name]
    except KeyError:
        raise ValueError(f"unknown network {name!r}; expected mainnet or testnet") from None
