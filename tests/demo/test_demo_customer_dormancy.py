"""A clean customer who withdraws never looks dormant-then-active (CSR-002), on any period.

The generator's invariant, checked directly on ``customer_logins`` without running the
catalog: every customer with a withdrawal has a successful login before the period and no two
successive successful logins (to withdraw or to browse) CSR-002's dormancy apart, for every
period the demo accepts (7..365 days) and any seed. Over a year a customer who withdrew on the
first day and again after six months (or only late) used to log in twice more than 180 days
apart (seed 5, 365 days: three withdrawals flagged that no scenario seeded).
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kansa.controls import load_catalog
from kansa.demo import columns
from kansa.demo.customer_access import logins
from kansa.demo.customer_flows import CustomerFlows
from kansa.demo.customer_plan import CustomerPlan
from kansa.demo.params import MAX_DAYS, MIN_DAYS, DemoParams

DAY = 86_400 * 1_000_000
DORMANCY_DAYS = load_catalog()["CSR-002"].parameters["dormancy_days"].default


def _flows(params: DemoParams, customers: list[int], days: list[float]) -> CustomerFlows:
    """Withdrawals of the given customers on the given (fractional) days of the period."""
    start = columns.epoch_us(params.at(0))
    when = np.sort(start + (np.array(days) * DAY).astype(np.int64))
    n = len(customers)
    return CustomerFlows(
        asset=np.zeros(n, np.int8),
        codes=["BTC"],
        customer=np.array(customers, np.int64),
        amount=np.ones(n, np.int64),
        scale=np.ones(n, np.int64),
        requested_us=when,
        destination=["bc1qexample"] * n,
    )


@st.composite
def _demo(draw: st.DrawFn) -> tuple[DemoParams, list[int], list[float], set[int]]:
    params = DemoParams(
        customers=draw(st.integers(100, 300)),
        days=draw(st.integers(MIN_DAYS, MAX_DAYS)),
        seed=draw(st.integers(0, 2**16)),
    )
    n = draw(st.integers(1, 60))
    who = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    when = draw(st.lists(st.floats(0, params.days, exclude_max=True), min_size=n, max_size=n))
    no_login = draw(st.sets(st.integers(0, n - 1), max_size=3))
    return params, who, when, no_login


@settings(max_examples=60, deadline=None)
@given(_demo())
# seed 5 over a year: one customer withdrawing on the first and the last day, one only late
@example((DemoParams(customers=100, days=365, seed=5), [0, 0, 1], [0.5, 364.5, 300.0], set()))
def test_no_withdrawing_customer_goes_dormant_between_logins(
    demo: tuple[DemoParams, list[int], list[float], set[int]],
) -> None:
    params, who, when, no_login = demo
    flows = _flows(params, who, when)
    table = logins(flows, params, CustomerPlan(no_login=no_login))
    ok = table.filter(pc.equal(table["result"], "success"))
    ids = ok["customer_id"].to_numpy(zero_copy_only=False)
    at = ok["logged_in_at"].cast("int64").to_numpy()
    start = columns.epoch_us(params.at(0))
    for customer in np.unique(flows.customer):
        mine = np.sort(at[ids == f"C{customer + 1:08d}"])
        assert mine[0] < start, "no login before the period: a reactivation could not be seen"
        longest = int(np.diff(mine).max(initial=0))
        assert longest < DORMANCY_DAYS * DAY, (customer, longest / DAY)
