"""What the customer-side scenarios ask of the customer-side generators.

Scenarios run before the customer-side records are drawn (they pick withdrawals from the
customer flows); the generators read this plan so that every seeded break is exactly the one
recorded in the ground truth and everything else stays clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kansa.demo.world import World


@dataclass
class Takeover:
    """A dormant customer's account taken over: the one withdrawal (flow index) it makes, to
    whatever destination the flows hold once every scenario has run."""

    flow: int
    customer: int  # customer index (0-based)
    device_id: str
    country: str


@dataclass
class CustomerPlan:
    takeovers: list[Takeover] = field(default_factory=list)
    # flow indices: withdrawals with no ledger debit / without a customer login before them
    no_debit: set[int] = field(default_factory=set)
    no_login: set[int] = field(default_factory=set)
    # flow index -> "missing" (no Travel Rule record) or "incomplete" (beneficiary name absent)
    travel_rule_gaps: dict[int, str] = field(default_factory=dict)
    # day index whose large yen deposit is entrusted only the next day (trust short that day)
    late_entrustment_day: int | None = None
    late_entrustment_yen: int = 0


def customer_plan(world: World) -> CustomerPlan:
    """The plan shared by scenarios and generators (created on first use)."""
    plan = world.shared.get("customer_plan")
    if not isinstance(plan, CustomerPlan):
        plan = world.shared["customer_plan"] = CustomerPlan()
    return plan
