"""Customer-side scenarios: account takeover, a forged withdrawal, Travel Rule gaps, and a day
the money trust is short of the yen owed to customers.

Each picks its withdrawal from the customer flows (its own random stream, never one another's
pick) and writes what it needs into the customer plan (:mod:`kansa.demo.customer_plan`), which
the customer-side generators follow.
"""

from __future__ import annotations

import numpy as np

from kansa.demo import customer_access
from kansa.demo.assets import ASSET
from kansa.demo.customer_flows import CustomerFlows, external_addresses
from kansa.demo.customer_plan import CustomerPlan, Takeover, customer_plan
from kansa.demo.customer_postings import VASP_SHARE
from kansa.demo.randomness import stream
from kansa.demo.scenarios.base import Scenario
from kansa.demo.world import World

# default WDR-003 auto-approval limits (smallest units): a forged withdrawal stays under them
AUTO_APPROVE_LIMITS = {"BTC": 10**8, "ETH": 10**19, "LTC": 10**10, "USDC": 10**11}


def _taken(plan: CustomerPlan) -> set[int]:
    return (
        {t.flow for t in plan.takeovers}
        | plan.no_debit
        | plan.no_login
        | set(plan.travel_rule_gaps)
    )


def _pick(
    flows: CustomerFlows, plan: CustomerPlan, ok: np.ndarray, rng: np.random.Generator
) -> int | None:
    """A flow index where ``ok`` holds, not used by another customer scenario, nor by a
    customer who is taken over."""
    ok = ok.copy()
    ok[list(_taken(plan))] = False
    ok &= ~np.isin(flows.customer, [t.customer for t in plan.takeovers])
    rows = np.flatnonzero(ok)
    return int(rows[rng.integers(rows.size)]) if rows.size else None


class AccountTakeover(Scenario):
    """A dormant customer's account: new country and device, address added, withdrawal."""

    id = "account-takeover"
    title_en = "Account takeover: dormant customer, new country and device, new address, withdrawal within minutes"
    title_ja = (
        "アカウント乗っ取り：休眠顧客が新しい国・端末からログインし、出金先を追加して数分で出金"
    )

    def on_customer_flows(self, world: World, flows: CustomerFlows) -> None:
        plan = customer_plan(world)
        rng = stream(world.params.seed, "scenario:takeover")
        counts = np.bincount(flows.customer, minlength=int(flows.customer.max(initial=0)) + 1)
        only_one = counts[flows.customer] == 1
        i = _pick(flows, plan, only_one, rng)
        if i is None:
            world.notes.append("account-takeover skipped: no customer withdrew exactly once")
            return
        asset = ASSET[flows.codes[int(flows.asset[i])]]
        address = external_addresses(asset, 1, rng)[0]
        flows.destination[i] = address
        device = customer_access.customer_devices(np.array([10**9 + i]), world.params.seed)[0]
        plan.takeovers.append(Takeover(i, int(flows.customer[i]), device.as_py(), "VN"))
        key = {"withdrawal_id": flows.withdrawal_id(i)}
        self.flag("CSR-001", key, "withdrawal_id")  # address added minutes before
        self.flag("CSR-002", key, "withdrawal_id")  # first login after 200+ days


class ForgedWithdrawal(Scenario):
    """A withdrawal under the auto-approval limit raised in the back office: approved, signed and
    sent like any other, with no debit in the customer ledger and no login of the customer."""

    id = "forged-withdrawal"
    title_en = "Forged customer withdrawal under the auto-approval limit with no ledger debit"
    title_ja = "自動承認上限未満の偽造顧客出金（顧客元帳に借方なし）"

    def on_customer_flows(self, world: World, flows: CustomerFlows) -> None:
        plan = customer_plan(world)
        rng = stream(world.params.seed, "scenario:forged")
        limits = np.array([AUTO_APPROVE_LIMITS[c] for c in flows.codes], dtype=object)
        under = np.array(
            [flows.smallest_amount(i) < limits[a] for i, a in enumerate(flows.asset.tolist())],
            bool,
        )
        i = _pick(flows, plan, under, rng)
        if i is None:
            world.notes.append("forged-withdrawal skipped: no customer withdrawal to forge")
            return
        plan.no_debit.add(i)
        plan.no_login.add(i)
        self.flag("CSR-003", {"record_id": flows.withdrawal_id(i)}, "record_id")


class TravelRuleGap(Scenario):
    """A withdrawal with no Travel Rule record, and one to another provider whose message
    lacks the beneficiary's name."""

    id = "travel-rule-gap"
    title_en = "Travel Rule: a transfer with no record, a message without the beneficiary's name"
    title_ja = "トラベルルール：記録のない移転、受取人の氏名を欠く通知"

    def on_customer_flows(self, world: World, flows: CustomerFlows) -> None:
        plan = customer_plan(world)
        rng = stream(world.params.seed, "scenario:travel-rule")
        vasp = (flows.customer.astype(np.int64) * 7 + flows.asset) % 10 < VASP_SHARE
        for gap, ok in (("incomplete", vasp), ("missing", np.ones(flows.size, bool))):
            i = _pick(flows, plan, ok, rng)
            if i is None:
                world.notes.append(f"travel-rule-gap: no withdrawal for the {gap} message")
                continue
            plan.travel_rule_gaps[i] = gap
            key = {"direction": "outgoing", "transfer_id": flows.withdrawal_id(i)}
            self.flag("CSR-005", key, "direction", "transfer_id")


class YenTrustShortfall(Scenario):
    """A large yen deposit entrusted the next day: the trust is short of the yen owed that day."""

    id = "yen-trust-shortfall"
    title_en = "Customer money trust below the yen owed to customers for one day"
    title_ja = "顧客分別金信託が顧客への円建て債務を 1 日下回る"

    def after_org(self, world: World) -> None:
        p = world.params
        day = p.days * 2 // 3
        customer_plan(world).late_entrustment_day = day
        self.flag("FIA-001", {"as_of": p.day(day)}, "as_of")
