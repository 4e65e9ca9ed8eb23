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
* JPY 0: the yen has no minor unit in use (ISO 4217 minor unit 0).
"""

from __future__ import annotations

from collections.abc import Mapping

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
    "JPY": 0,
}

MAX_DECIMALS = 38  # DECIMAL(38,0) holds the smallest unit; more decimals could never fit


def asset_decimals(overrides: Mapping[str, int] | None = None) -> dict[str, int]:
    """The built-in table with the workspace's ``[assets]`` entries on top (tickers upper-cased)."""
    table = dict(BUILTIN_DECIMALS)
    for ticker, decimals in (overrides or {}).items():
        table[ticker.upper()] = decimals
    return table
