"""The seeded scenarios of the demo exchange, in the order their hooks run."""

from __future__ import annotations

from pathlib import Path

from kansa.demo.scenarios.access_breaks import LeaverKey, SodBreach, UntrainedPrivileged
from kansa.demo.scenarios.base import Scenario
from kansa.demo.scenarios.custody_breaks import ColdShareDip, OfacPayment
from kansa.demo.scenarios.customer_attacks import (
    AccountTakeover,
    ForgedWithdrawal,
    TravelRuleGap,
    YenTrustShortfall,
)
from kansa.demo.scenarios.duty_breaks import FakeTicket, GrantUseRevoke, SelfApprovedSweep
from kansa.demo.scenarios.incidents import Bybit2025, Dmm2024
from kansa.demo.scenarios.safe_swap import SafeSwap
from kansa.demo.world import World

__all__ = ["Scenario", "build_scenarios"]


def build_scenarios(world: World, ofac_dir: Path | None) -> list[Scenario]:
    """All scenarios; the OFAC one only when the lists are present (else a note says why)."""
    scenarios: list[Scenario] = [
        Dmm2024(world),
        Bybit2025(world),
        ColdShareDip(world),
        LeaverKey(world),
        SodBreach(world),
        UntrainedPrivileged(world),
    ]
    # issue 10: customer-side, point-in-time and smart-contract wallet patterns (before the
    # OFAC payments, which may then redirect one of their withdrawals: both stay true)
    for kind in (
        AccountTakeover,
        ForgedWithdrawal,
        TravelRuleGap,
        YenTrustShortfall,
        GrantUseRevoke,
        SelfApprovedSweep,
        FakeTicket,
        SafeSwap,
    ):
        scenarios.append(kind(world))
    if ofac_dir is not None and ofac_dir.is_dir():
        scenarios.append(OfacPayment(world, ofac_dir))
    else:
        world.notes.append(
            f"ofac-payment skipped: OFAC lists not found at {ofac_dir}; "
            "sanctioned_addresses is empty"
        )
    return scenarios
