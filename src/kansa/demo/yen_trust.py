"""Customers' yen and the money trust that protects it (PSA Art. 63-11; FIA-001, FIA-002).

A quarter of customers hold yen (log-normal, median ¥50,000). Each day 0.5% of them deposit
and 0.4% withdraw (whole thousands of yen, booked 09:00-23:00 JST, i.e. 00:00-14:00 UTC, so the
booking day is the same in UTC and in Tokyo), and 2% trade (their balance moves without a yen
movement). The trust account takes each day's customer deposits in one line and releases each
day's withdrawals in one line, both on the same day; when the trust would fall below 102% of
the yen owed, treasury tops it up to that level in whole millions (an ``in`` line for
``top_up``). The trust never releases money for anything else, so every day it covers the yen
owed with a margin.

The plan's late entrustment (:mod:`kansa.demo.customer_plan`) books one large deposit on its
day and entrusts it only the next day (within FIA-002's lag): that day, and only that day, the
trust is short of the yen owed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from kansa.demo import columns
from kansa.demo.customer_plan import CustomerPlan
from kansa.demo.params import DemoParams
from kansa.demo.randomness import stream
from kansa.demo.writer import TableSink

HOLD_YEN = 0.25
MEDIAN_YEN = 50_000.0
DEPOSIT_RATE = 0.005
WITHDRAW_RATE = 0.004
TRADE_RATE = 0.02
MARGIN = 1.02
MILLION = 1_000_000
TRUST_ACCOUNT = "YT-0001"
TRUST_BANK = "Hoshizora Trust & Banking (fictional)"
BOOKING_HOURS = 14  # UTC hours 00:00-14:00 = 09:00-23:00 JST


def _ceil_million(yen: float) -> int:
    return int(-(-int(yen) // MILLION) * MILLION)


@dataclass
class YenRecords:
    movements: list[dict[str, Any]] = field(default_factory=list)
    trust_lines: list[dict[str, Any]] = field(default_factory=list)
    trust_balances: list[dict[str, Any]] = field(default_factory=list)
    short_days: list[date] = field(default_factory=list)


class _Trust:
    """The trust account's lines and running balance."""

    def __init__(self, records: YenRecords, opening: int) -> None:
        self.records = records
        self.balance = opening

    def line(self, day: date, tag: str, direction: str, amount: int, purpose: str) -> str:
        ref = f"TRS-{day:%Y%m%d}-{tag}"
        self.records.trust_lines.append(
            {
                "trust_reference": ref,
                "trust_account_id": TRUST_ACCOUNT,
                "direction": direction,
                "amount": amount,
                "booked_on": day,
                "purpose": purpose,
            }
        )
        self.balance += amount if direction == "in" else -amount
        return ref


def yen_books(params: DemoParams, plan: CustomerPlan, sink: TableSink) -> YenRecords:
    """Stream ``customer_yen_balances`` into ``sink``; return the movements and the trust."""
    rng = stream(params.seed, "yen")
    holders = np.flatnonzero(rng.random(params.customers) < HOLD_YEN)
    balance = np.maximum(rng.lognormal(np.log(MEDIAN_YEN), 1.3, holders.size), 1).astype(np.int64)
    ids = columns.numbered("C", holders.astype(np.int64) + 1, 8)
    records = YenRecords()
    trust = _Trust(records, _ceil_million(MARGIN * 1.01 * balance.sum()))
    late = 0
    for d in range(params.days):
        day = params.day(d)
        dep_who = np.flatnonzero(rng.random(holders.size) < DEPOSIT_RATE)
        dep_amt = _round(np.asarray(rng.lognormal(np.log(MEDIAN_YEN), 1.2, dep_who.size)))
        wd_who = np.flatnonzero(rng.random(holders.size) < WITHDRAW_RATE)
        wd_amt = (
            (balance[wd_who] * rng.uniform(0.1, 0.9, wd_who.size)).astype(np.int64) // 1000 * 1000
        )
        wd_who, wd_amt = wd_who[wd_amt > 0], wd_amt[wd_amt > 0]
        np.add.at(balance, dep_who, dep_amt)
        np.subtract.at(balance, wd_who, wd_amt)
        moved = np.flatnonzero(rng.random(holders.size) < TRADE_RATE)
        balance[moved] = np.maximum(
            balance[moved] * (1 + rng.normal(0, 0.2, moved.size)), 0
        ).astype(np.int64)
        refs = {}
        if dep_amt.size:
            refs["deposit"] = trust.line(day, "IN", "in", int(dep_amt.sum()), "customer_deposits")
        if wd_amt.size:
            refs["withdrawal"] = trust.line(
                day, "OUT", "out", int(wd_amt.sum()), "customer_withdrawals"
            )
        if late:
            trust.line(day, "IN2", "in", late, "customer_deposits")
            late = 0
        owed = int(balance.sum())
        if trust.balance < MARGIN * owed:
            trust.line(day, "TOP", "in", _ceil_million(MARGIN * owed - trust.balance), "top_up")
        _book(records, params, day, holders, dep_who, dep_amt, "deposit", refs, rng)
        _book(records, params, day, holders, wd_who, wd_amt, "withdrawal", refs, rng)
        if d == plan.late_entrustment_day and d + 1 < params.days:
            late = _ceil_million(trust.balance - owed) + _ceil_million(0.05 * owed) + MILLION
            who = int(rng.integers(0, holders.size))
            balance[who] += late
            plan.late_entrustment_yen = late
            records.movements.append(
                _movement(
                    params,
                    day,
                    int(holders[who]),
                    "deposit",
                    late,
                    13 * 3600,
                    f"TRS-{params.day(d + 1):%Y%m%d}-IN2",
                )
            )
            records.short_days.append(day)
        records.trust_balances.append(
            {
                "as_of": day,
                "trust_account_id": TRUST_ACCOUNT,
                "trust_bank": TRUST_BANK,
                "balance": trust.balance,
            }
        )
        sink.write(_balances_chunk(params, d, ids, balance))
    records.movements.sort(key=lambda m: (m["booked_at"], m["customer_id"]))
    for i, m in enumerate(records.movements, 1):
        m["movement_id"] = f"YM{i:09d}"
    return records


def _round(yen: np.ndarray) -> np.ndarray:
    return np.maximum(yen.astype(np.int64) // 1000 * 1000, 1000)


def _movement(
    params: DemoParams, day: date, customer: int, direction: str, amount: int, second: int, ref: str
) -> dict[str, Any]:
    at = datetime.combine(day, time(), tzinfo=params.at(0).tzinfo) + timedelta(seconds=second)
    return {
        "movement_id": "",
        "customer_id": f"C{customer + 1:08d}",
        "direction": direction,
        "amount": amount,
        "booked_at": at,
        "trust_account_id": TRUST_ACCOUNT,
        "trust_reference": ref,
    }


def _book(
    records: YenRecords,
    params: DemoParams,
    day: date,
    holders: np.ndarray,
    who: np.ndarray,
    amount: np.ndarray,
    direction: str,
    refs: dict[str, str],
    rng: np.random.Generator,
) -> None:
    seconds = rng.integers(0, BOOKING_HOURS * 3600, who.size)
    for w, a, s in zip(who.tolist(), amount.tolist(), seconds.tolist(), strict=True):
        records.movements.append(
            _movement(params, day, int(holders[w]), direction, a, s, refs[direction])
        )


def _balances_chunk(params: DemoParams, d: int, ids: pa.Array, balance: np.ndarray) -> pa.Table:
    epoch_day = (params.day(d) - date(1970, 1, 1)).days
    return pa.table(
        {
            "as_of": pa.array(np.full(balance.size, epoch_day, np.int32), pa.int32()).cast(
                pa.date32()
            ),
            "customer_id": ids,
            "balance": columns.amounts(balance),
        }
    )
