"""How many decimals each asset has: the factor between a coin amount and its smallest unit.

Exports state amounts in coin units (``0.115429725`` BTC); contracts store the smallest unit
(satoshi, wei) as a whole number. Converting needs the asset's number of decimals, and a value
with more decimals than that is an error, never rounded (an amount nobody can hold on chain is a
wrong amount). Workspaces add or override entries with ``[assets.TICKER] decimals = N`` in
``kansa.toml``.

Sources of the built-in figures:

* BTC 8, BCH 8, LTC 8, DOGE 8: ``COIN = 100000000`` in Bitcoin Core ``src/consensus/amount.h``
  (the forks keep it: Bitcoin Cash Node, Litecoin Core, Dogecoin Core ``amount.h``).
* ETH 18 and ERC-20s that follow it (MATIC/POL, LINK, DAI, SHIB): wei, Ethereum Yellow Paper
  section 2.1 ("the smallest subdenomination ... Wei", 10^18 per Ether); the tokens' contracts
  return 18 from ``decimals()`` (EIP-20).
* USDC 6: Circle's FiatTokenV2 on Ethereum, ``decimals()`` = 6 (etherscan, contract
  0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48). USDT 6: Tether's ERC-20 contract
  0xdac17f958d2ee523a2206206994597c13d831ec7, ``decimals()`` = 6.
* XRP 6: 1 XRP = 1,000,000 drops (xrpl.org, "Currency Formats").
* SOL 9 (lamports, docs.solana.com "Terminology"); ADA 6 (lovelace, Cardano docs); DOT 10
  (planck since the 2020 redenomination, wiki.polkadot.network "Redenomination"); XLM 7
  (stroops, developers.stellar.org "Lumens"); TRX 6 (sun, developers.tron.network); AVAX 18
  (C-chain, nAVAX*10^9 = 18 decimals as the EVM sees it).
* XEM 6: NEM's native mosaic nem:xem has divisibility 6 (NEM Technical Reference, "Mosaics").
* XYM 6: Symbol's native currency mosaic symbol.xym has divisibility 6 (Symbol docs, "Mosaic":
  the network currency; 1 XYM = 1,000,000 micro-XYM).
* JPY 0: the yen has no minor unit in use (ISO 4217 minor unit 0).

Chains are data too: :data:`BUILTIN_CHAINS` names each chain's native asset and the address
rule its addresses follow (the rules and their sources are in
:mod:`kansa.custody.address_formats`). A workspace adds a chain with ``[chains.NAME]
native = "TICKER"`` and ``address_format = "evm"`` (one of :data:`ADDRESS_FORMATS`) in
``kansa.toml``: an EVM sidechain needs no code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BUILTIN_DECIMALS: dict[str, int] = {
    "BTC": 8,
    "BCH": 8,
    "LTC": 8,
    "DOGE": 8,
    "ETH": 18,
    "MATIC": 18,
    "POL": 18,
    "LINK": 18,
    "DAI": 18,
    "SHIB": 18,
    "AVAX": 18,
    "USDC": 6,
    "USDT": 6,
    "XRP": 6,
    "ADA": 6,
    "TRX": 6,
    "SOL": 9,
    "DOT": 10,
    "XLM": 7,
    "XEM": 6,
    "XYM": 6,
    "JPY": 0,
}

MAX_DECIMALS = 38  # DECIMAL(38,0) holds the smallest unit; more decimals could never fit


def asset_decimals(overrides: Mapping[str, int] | None = None) -> dict[str, int]:
    """The built-in table with the workspace's ``[assets]`` entries on top (tickers upper-cased)."""
    table = dict(BUILTIN_DECIMALS)
    for ticker, decimals in (overrides or {}).items():
        table[ticker.upper()] = decimals
    return table


# the address rules kansa.custody.address_formats implements (names only: contracts stay free
# of custody code)
ADDRESS_FORMATS = ("bitcoin", "evm", "tron", "xrp", "solana", "nem", "symbol")


@dataclass(frozen=True)
class Chain:
    """A chain a wallet can live on: its native asset and the rule its addresses follow.
    ``descriptors``: output descriptors (BIP 380) describe its wallets; ``safe``: Safe
    smart-contract wallets exist on it."""

    name: str
    native: str
    address_format: str
    descriptors: bool = False
    safe: bool = False


BUILTIN_CHAINS: dict[str, Chain] = {
    c.name: c
    for c in (
        Chain("bitcoin", "BTC", "bitcoin", descriptors=True),
        Chain("litecoin", "LTC", "bitcoin", descriptors=True),
        Chain("ethereum", "ETH", "evm", safe=True),
        Chain("polygon", "POL", "evm", safe=True),
        Chain("avalanche", "AVAX", "evm", safe=True),
        Chain("xrp", "XRP", "xrp"),
        Chain("solana", "SOL", "solana"),
        Chain("tron", "TRX", "tron"),
        Chain("nem", "XEM", "nem"),
        Chain("symbol", "XYM", "symbol"),  # NEM's successor (2021); XEM holders got XYM
    )
}


def chain_registry(extra: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Chain]:
    """The built-in chains with the workspace's ``[chains.NAME]`` entries on top. An added
    chain with an EVM address rule may hold Safe wallets."""
    table = dict(BUILTIN_CHAINS)
    for name, body in (extra or {}).items():
        fmt = body["address_format"]
        if fmt not in ADDRESS_FORMATS:
            raise ValueError(
                f"chain {name}: address_format {fmt!r} is not one of {ADDRESS_FORMATS}"
            )
        table[name.lower()] = Chain(name.lower(), body["native"].upper(), fmt, safe=fmt == "evm")
    return table


def format_chains(extra: Mapping[str, Mapping[str, str]]) -> str:
    """``NAME=FORMAT:NATIVE,...``: how workspace chains reach a control as a text parameter."""
    return ",".join(f"{n}={b['address_format']}:{b['native']}" for n, b in sorted(extra.items()))


def parse_chains(text: str) -> dict[str, dict[str, str]]:
    """The inverse of :func:`format_chains`; ValueError names the bad entry."""
    out: dict[str, dict[str, str]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, rest = item.partition("=")
        fmt, _, native = rest.partition(":")
        if not name or not fmt or not native:
            raise ValueError(f"chain entry {item!r}: expected NAME=FORMAT:NATIVE")
        out[name.strip()] = {"address_format": fmt.strip(), "native": native.strip()}
    return out
