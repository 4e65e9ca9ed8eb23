"""Version bytes of the chains and networks a descriptor wallet can live on.

Bitcoin: Bitcoin Core chainparams.cpp (base58 prefixes, bech32 HRP "bc"/"tb"); signet and
testnet share encodings. Litecoin: Litecoin Core chainparams.cpp (PUBKEY_ADDRESS 48,
SCRIPT_ADDRESS 50 with the older 5 still accepted, SECRET_KEY 176, bech32 HRP "ltc"; testnet
111 / 58 (and 196) / 239 / "tltc"); Litecoin Core serialises BIP 32 keys as xpub/tpub.
BIP 32 gives the extended key versions (xpub/xprv mainnet, tpub/tprv testnet).
"""

from __future__ import annotations

from dataclasses import dataclass

XPUB, XPRV = bytes.fromhex("0488B21E"), bytes.fromhex("0488ADE4")
TPUB, TPRV = bytes.fromhex("043587CF"), bytes.fromhex("04358394")


@dataclass(frozen=True)
class Network:
    name: str  # mainnet | testnet
    chain: str  # bitcoin | litecoin
    p2pkh: int
    p2sh: int
    wif: int
    hrp: str
    xpub: bytes
    xprv: bytes
    p2sh_legacy: int | None = None  # a second P2SH prefix the chain still accepts

    @property
    def label(self) -> str:
        return f"{self.chain} {self.name}"


MAINNET = Network("mainnet", "bitcoin", 0x00, 0x05, 0x80, "bc", XPUB, XPRV)
TESTNET = Network("testnet", "bitcoin", 0x6F, 0xC4, 0xEF, "tb", TPUB, TPRV)
LITECOIN_MAINNET = Network("mainnet", "litecoin", 0x30, 0x32, 0xB0, "ltc", XPUB, XPRV, 0x05)
LITECOIN_TESTNET = Network("testnet", "litecoin", 0x6F, 0x3A, 0xEF, "tltc", TPUB, TPRV, 0xC4)
ALL_NETWORKS = (MAINNET, TESTNET, LITECOIN_MAINNET, LITECOIN_TESTNET)
NETWORKS = {(n.chain, n.name): n for n in ALL_NETWORKS}
CHAINS = ("bitcoin", "litecoin")

# SLIP-132 versions (ypub, zpub, Ypub, Zpub and testnet/private kin). Descriptors carry the script
# type themselves, so BIP 380 keys use plain xpub/tpub; we name these to refuse them clearly.
SLIP132_PREFIXES = ("ypub", "zpub", "Ypub", "Zpub", "upub", "vpub", "Upub", "Vpub")


def network(name: str, chain: str = "bitcoin") -> Network:
    try:
        return NETWORKS[(chain, name)]
    except KeyError:
        raise ValueError(
            f"unknown network {chain} {name}; expected mainnet or testnet of {' or '.join(CHAINS)}"
        ) from None
