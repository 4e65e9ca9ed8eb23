"""``business_date``: which contracts are stored by day, and what the mark may name."""

from __future__ import annotations

import pytest

from kansa.contracts import load_contracts
from kansa.contracts.loader import ContractError, parse_contract

BASE = """
name: t
version: 1
title: {en: t, ja: t}
description: {en: t, ja: t}
business_date: %s
columns:
  - {name: day, type: date, description: {en: d, ja: d}}
  - {name: at, type: timestamp, nullable: true, description: {en: a, ja: a}}
  - {name: label, type: string, description: {en: l, ja: l}}
"""


def test_the_daily_exports_are_dated_and_the_reference_tables_are_not() -> None:
    dated = {n: c.business_date for n, c in load_contracts().items() if c.dated}
    assert dated == {
        "admin_actions": "action_time",
        "auth_events": "event_time",
        "customer_balances": "as_of",
        "customer_ledger_entries": "posted_at",
        "customer_logins": "logged_in_at",
        "customer_yen_balances": "as_of",
        "deposits": "credited_at",
        "wallet_state": "as_of",
        "withdrawal_address_changes": "changed_at",
        "yen_movements": "booked_at",
        "yen_trust_balances": "as_of",
        "yen_trust_movements": "booked_on",
        "signed_transactions": "signed_at",
        "wallet_balances": "as_of",
        "withdrawal_approvals": "approved_at",
        "withdrawals": "requested_at",
    }


@pytest.mark.parametrize(
    ("column", "message"),
    [("nope", "unknown column"), ("label", "date or timestamp"), ("at", "non-nullable")],
)
def test_a_bad_business_date_is_refused(column: str, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        parse_contract(BASE % column, "t.yaml")


def test_the_day_of_a_timestamp_is_taken_in_the_given_zone() -> None:
    c = parse_contract(BASE % "day", "t.yaml")
    assert c.day_sql('"day"', "Asia/Tokyo") == '"day"'
    ts = parse_contract((BASE % "at").replace("nullable: true, ", ""), "t.yaml")
    assert ts.day_sql('"at"', "Asia/Tokyo") == "CAST(timezone('Asia/Tokyo', \"at\") AS DATE)"
