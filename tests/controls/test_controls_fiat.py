"""Fixture tests of the customer-yen controls (FIA-*): trust coverage and trust reconciliation."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from helpers_controls import Fixture

D = "2026-11-{:02d}".format


def owed(day: int, customer: str, balance: int) -> dict:
    return {"as_of": D(day), "customer_id": customer, "balance": balance}


def trust(day: int, account: str, balance: int) -> dict:
    return {"as_of": D(day), "trust_account_id": account, "trust_bank": "TB", "balance": balance}


def test_fia001_trust_covers_owed_yen_per_day_with_the_shortfall() -> None:
    fx = Fixture(
        customer_yen_balances=[
            owed(1, "c1", 600), owed(1, "c2", 400),  # 1,000 owed, 1,000 held: the edge
            owed(2, "c1", 600), owed(2, "c2", 401),  # 1,001 owed: 1 short
            owed(3, "c1", 600), owed(3, "c2", -100),  # a negative balance is no offset
            owed(4, "c1", 10),  # no trust row at all
            owed(21, "c1", 10**9),  # after as_of: not seen
        ],
        yen_trust_balances=[
            trust(1, "T1", 700), trust(1, "T2", 300),
            trust(2, "T1", 700), trust(2, "T2", 300),
            trust(3, "T1", 550),
        ],
    )  # fmt: skip
    rows = {r["as_of"]: r for r in fx.run("FIA-001").rows()}
    assert set(rows) == {dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 4)}
    assert rows[dt.date(2026, 11, 2)]["shortfall"] == 1
    assert rows[dt.date(2026, 11, 3)]["shortfall"] == 50
    assert rows[dt.date(2026, 11, 3)]["negative_balances"] == 1
    assert rows[dt.date(2026, 11, 4)]["trust_accounts"] == 0
    assert fx.population("FIA-001") == 4
    # with a 5% tolerance 1,001 owed against 1,000 held passes, 600 against 550 does not
    assert {k[0] for k in fx.keys("FIA-001", min_coverage=0.95)} == {D(3), D(4)}


def move(mid: str, direction: str, amount: int, day: int, ref: str | None, **kw: object) -> dict:
    return {
        "movement_id": mid,
        "customer_id": "c1",
        "direction": direction,
        "amount": amount,
        "booked_at": f"{D(day)}T10:00Z",
        "trust_account_id": "T1",
        "trust_reference": ref,
        **kw,
    }


def line(ref: str, direction: str, amount: int, day: int, purpose: str, **kw: object) -> dict:
    return {
        "trust_reference": ref,
        "trust_account_id": "T1",
        "direction": direction,
        "amount": amount,
        "booked_on": D(day),
        "purpose": purpose,
        **kw,
    }


def test_fia002_movements_and_trust_lines_reconcile() -> None:
    fx = Fixture(
        yen_movements=[
            move("M-ok-1", "deposit", 100, 10, "R-in"),
            move("M-ok-2", "deposit", 50, 10, "R-in"),  # one daily entrustment for both
            move("M-edge", "withdrawal", 30, 10, "R-out"),  # line exactly 2 days later
            move("M-far", "withdrawal", 20, 10, "R-far"),  # line 3 days later
            move("M-none", "deposit", 70, 17, None),  # 3 days old at as_of 20, no line
            move("M-young", "deposit", 70, 18, None),  # 2 days old: not yet due
            move("M-ghost", "deposit", 70, 10, "R-ghost"),
            move("M-acct", "deposit", 5, 10, "R-acct"),
            move("M-dir", "withdrawal", 5, 10, "R-dir"),
            move("M-less", "deposit", 10, 10, "R-in-less"),
        ],
        yen_trust_movements=[
            line("R-in", "in", 150, 10, "customer_deposits"),
            line("R-out", "out", 30, 12, "customer_withdrawals"),
            line("R-far", "out", 20, 13, "customer_withdrawals"),
            line("R-acct", "in", 5, 10, "customer_deposits", trust_account_id="T2"),
            line("R-dir", "in", 5, 10, "customer_deposits"),
            line("R-in-less", "in", 9, 10, "customer_deposits"),
            line("R-short", "in", 99, 11, "customer_deposits"),  # no movement points to it
            line("R-topup", "in", 1000, 11, "top_up"),  # the exchange adding money: fine
            line("R-fee", "out", 10, 11, "fee"),
            line("R-drain", "out", 500, 11, "top_up"),  # money taken out of the trust
            line("R-late", "in", 1, 21, "customer_deposits"),  # after as_of: not seen
        ],
    )
    reasons = {r["record_id"]: r["reason"] for r in fx.run("FIA-002").rows()}
    assert reasons == {
        "M-far": "trust line too far from the movement",
        "M-none": "no trust line",
        "M-ghost": "trust line not found",
        "M-acct": "trust account differs",
        "M-dir": "direction differs",
        "R-dir": "no customer movement",  # the withdrawal pointing to it is no cover
        "R-in-less": "amount differs from its customer movements",
        "R-short": "no customer movement",
        "R-drain": "released from the trust, not for customers",
    }
    assert fx.population("FIA-002") == 10 + 10
    assert "M-far" not in {k[0] for k in fx.keys("FIA-002", max_lag_days=3)}
    assert "M-young" in {k[0] for k in fx.keys("FIA-002", as_of=dt.date(2026, 11, 21))}


def test_fiat_controls_give_no_verdict_on_inputs_without_any_row() -> None:
    """An exchange (or the demo) that exported no yen data is not 'covered': it is not tested."""
    with pytest.raises(duckdb.InvalidInputException, match="customer_yen_balances holds no rows"):
        Fixture(yen_trust_balances=[trust(1, "T1", 5)]).population("FIA-001")
    with pytest.raises(
        duckdb.InvalidInputException,
        match="yen_movements holds no rows, nor does yen_trust_movements",
    ):
        Fixture().population("FIA-002")
    # owed yen with no trust at all is a shortfall, not a missing input
    assert Fixture(customer_yen_balances=[owed(1, "c1", 5)]).keys("FIA-001") == {(D(1),)}
    # trust lines without any customer movement are exceptions, not a missing input
    only_lines = Fixture(yen_trust_movements=[line("R1", "in", 5, 1, "customer_deposits")])
    assert only_lines.keys("FIA-002") == {("R1",)}
