"""Custody scenarios: cold share below 95% for a few days; payments to OFAC-listed addresses."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from kansa.demo import treasury
from kansa.demo.customer_flows import CustomerFlows
from kansa.demo.ledger import Book
from kansa.demo.randomness import pystream, stream
from kansa.demo.sanctions import load_ofac
from kansa.demo.scenarios.base import Scenario
from kansa.demo.world import World

DIP_ASSET = "ETH"
DIP_SHARES = (55, 12)  # per mille hot, warm: cold share 93.3%


class ColdShareDip(Scenario):
    """Treasury moves ETH to the hot wallet ahead of expected demand and leaves it for days."""

    id = "cold-share-dip"
    title_en = "Cold-wallet share of customer ETH below 95% on some days"
    title_ja = "顧客 ETH のコールドウォレット保管比率が一部の日で 95% 未満"

    def dip_days(self, world: World) -> list[int]:
        first = world.params.days // 3
        return [first, first + 1, first + 2]

    def not_cold(self, world: World) -> dict[tuple[str, int], tuple[int, int]]:
        return {(DIP_ASSET, d): DIP_SHARES for d in self.dip_days(world)}

    def after_ledger(self, world: World, books: list[Book]) -> None:
        p = world.params
        book = next(b for b in books if b.asset.code == DIP_ASSET)
        rng = pystream(p.seed, "scenario:dip")
        days = self.dip_days(world)
        hot = treasury.wallet(world, DIP_ASSET, "HOT-1")
        cold = treasury.wallet(world, DIP_ASSET, "COLD-S")
        unit = book.asset.scale * 1000
        out = book.totals[days[0]] * 37 // 1000 // unit * unit
        treasury.internal_transfer(world, cold, hot.main_address, out, p.at(days[0], 0.5), rng)
        back = min(days[-1] + 1, p.days - 1)
        treasury.internal_transfer(world, hot, cold.main_address, out, p.at(back, 0.5), rng)
        for d in days:
            self.flag("CUS-001", {"asset": DIP_ASSET, "as_of": p.day(d)}, "asset", "as_of")


class OfacPayment(Scenario):
    """Customer withdrawals to addresses on the real OFAC SDN list."""

    id = "ofac-payment"
    title_en = "Customer withdrawals to OFAC-sanctioned addresses"
    title_ja = "OFAC 制裁対象アドレスへの顧客出金"

    # our asset -> OFAC list file suffix (OFAC writes bitcoin as XBT)
    LISTS: ClassVar[dict[str, str]] = {"BTC": "XBT", "ETH": "ETH", "USDC": "USDC"}

    def __init__(self, world: World, ofac_dir: Path) -> None:
        super().__init__(world)
        self.lists = load_ofac(ofac_dir)

    def on_customer_flows(self, world: World, flows: CustomerFlows) -> None:
        rng = stream(world.params.seed, "scenario:ofac")
        for code, list_asset in self.LISTS.items():
            listed = sorted(r["address"] for r in self.lists if r["asset"] == list_asset)
            rows = np.flatnonzero(flows.asset == flows.codes.index(code))
            if not listed or rows.size == 0:
                continue
            i = int(rows[rng.integers(rows.size)])
            flows.destination[i] = listed[int(rng.integers(len(listed)))]
            self.flag("WDR-008", {"withdrawal_id": flows.withdrawal_id(i)}, "withdrawal_id")
