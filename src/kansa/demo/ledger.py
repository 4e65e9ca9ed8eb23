"""The customer ledger: who holds what, day by day, and the withdrawals customers make.

Vectorised over customers with NumPy; one day of one asset is one chunk written straight to
the ``customer_balances`` file, so memory stays bounded (about 40 bytes per holding).
Amounts are int64 in units of ``asset.scale`` smallest units (ETH: gwei) and widened to
DECIMAL(38,0) smallest units on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from kansa.demo import columns
from kansa.demo.assets import ASSETS, Asset
from kansa.demo.randomness import stream
from kansa.demo.writer import TableSink

HOLD_PROBABILITY = {"BTC": 0.62, "ETH": 0.33, "LTC": 0.12, "USDC": 0.09}
MEDIAN_HOLDING_JPY = 60_000.0
WITHDRAW_RATE = 0.004  # share of holdings withdrawn from per day
TRADE_RATE = 0.05  # share of holdings that change by trading or deposits per day


def customer_ids(n: int) -> pa.Array:
    """``C00000001``... (pseudonymous, 8 digits hold up to 100 million customers)."""
    return columns.numbered("C", np.arange(1, n + 1), 8)


@dataclass
class Book:
    """One asset's holders (customer indices) and their balances."""

    asset: Asset
    holders: np.ndarray
    balance: np.ndarray
    totals: list[int] = field(default_factory=list)  # smallest units, per day
    draws: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)


def open_books(seed: int, customers: int) -> list[Book]:
    books = []
    for asset in ASSETS:
        rng = stream(seed, f"holdings:{asset.code}")
        holders = np.flatnonzero(rng.random(customers) < HOLD_PROBABILITY[asset.code])
        jpy = rng.lognormal(np.log(MEDIAN_HOLDING_JPY), 1.5, holders.size)
        units = jpy / asset.price_jpy * 10**asset.decimals / asset.scale
        balance = np.maximum(units, 1000).astype(np.int64)
        books.append(Book(asset, holders.astype(np.int32), balance))
    return books


def advance_day(book: Book, day: int, rng: np.random.Generator) -> None:
    """Withdrawals (at most one per customer and asset a day), then trades and deposits.

    A customer withdraws only what they hold: at least one unit, at most the whole balance, and
    nothing from an empty balance. (Rounding up to one unit used to let a balance of 1 go to 0
    and then to -1: a negative holding (CUS-004) and a reserve shortfall (CUS-008, which sums
    positive balances only) that no scenario had seeded.)
    """
    n = book.holders.size
    who = np.flatnonzero((rng.random(n) < WITHDRAW_RATE) & (book.balance > 0))
    amount = (book.balance[who] * rng.uniform(0.05, 0.6, who.size)).astype(np.int64)
    amount = np.clip(amount, 1, book.balance[who])
    book.balance[who] -= amount
    book.draws.append((np.full(who.size, day, np.int16), book.holders[who], amount))
    moved = np.flatnonzero(rng.random(n) < TRADE_RATE)
    factor = 1.0 + rng.normal(0.02, 0.25, moved.size)
    book.balance[moved] = np.maximum((book.balance[moved] * factor).astype(np.int64), 1)


def balance_chunk(book: Book, as_of: int, ids: pa.Array) -> pa.Table:
    n = book.holders.size
    return pa.table(
        {
            "as_of": pa.array(np.full(n, as_of, np.int32), pa.int32()).cast(pa.date32()),
            "customer_id": ids.take(pa.array(book.holders)),
            "asset": pa.repeat(book.asset.code, n),
            "balance": columns.amounts(book.balance, book.asset.scale),
        }
    )


def simulate(
    seed: int,
    customers: int,
    days: int,
    first_day_epoch: int,
    sink: TableSink,
    on_day: Callable[[int], None] = lambda d: None,
) -> list[Book]:
    """Run the ledger for ``days`` and stream every day-end balance into ``sink``."""
    books = open_books(seed, customers)
    ids = customer_ids(customers)
    rngs = {b.asset.code: stream(seed, f"ledger:{b.asset.code}") for b in books}
    for day in range(days):
        for book in books:
            advance_day(book, day, rngs[book.asset.code])
            book.totals.append(int(book.balance.sum()) * book.asset.scale)
            sink.write(balance_chunk(book, first_day_epoch + day, ids))
        on_day(day)
    return books
