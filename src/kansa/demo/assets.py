"""The assets the demo exchange lists, their chains, units and rough yen prices."""

from __future__ import annotations

from dataclasses import dataclass

from embit.networks import NETWORKS

# Litecoin mainnet: bech32 prefix "ltc" (Litecoin Core chainparams), BIP32 "xpub" like Bitcoin;
# SLIP-44 coin type 2.
LITECOIN = dict(NETWORKS["main"], name="Litecoin", bech32="ltc")


@dataclass(frozen=True)
class Asset:
    code: str
    chain: str
    policy: str  # descriptor | safe
    decimals: int
    price_jpy: float  # per whole unit, for realistic holdings only
    coin_type: int = 0  # SLIP-44, descriptor chains
    token_contract: str | None = None
    # generated amounts are in units of 10**scale_exp smallest units (ETH: gwei, to fit int64)
    scale_exp: int = 0

    @property
    def network(self) -> dict[str, object]:
        return LITECOIN if self.chain == "litecoin" else NETWORKS["main"]

    @property
    def scale(self) -> int:
        return 10**self.scale_exp


ASSETS: tuple[Asset, ...] = (
    Asset("BTC", "bitcoin", "descriptor", 8, 15_000_000.0, coin_type=0),
    Asset("ETH", "ethereum", "safe", 18, 500_000.0, scale_exp=9),
    Asset("LTC", "litecoin", "descriptor", 8, 15_000.0, coin_type=2),
    # Circle's USDC on Ethereum mainnet
    Asset(
        "USDC",
        "ethereum",
        "safe",
        6,
        150.0,
        token_contract="0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
    ),
)
ASSET = {a.code: a for a in ASSETS}
