"""Fixture tests of the customer-side controls (CSR-*): account takeover, ledger, sanctions, KYC.

Customer ids are pseudonymous (``c1``...), as in the contracts.
"""

from __future__ import annotations

import datetime as dt

from helpers_controls import Fixture

T = "2026-11-10T{}Z".format  # T("09:00") -> 2026-11-10T09:00Z


def wd(wid: str, at: str = T("12:00"), **kw: object) -> dict:
    return {
        "withdrawal_id": wid,
        "kind": "customer",
        "customer_id": "c1",
        "wallet_id": "hot",
        "asset": "BTC",
        "destination_address": "bc1qdest",
        "amount": 100,
        "requested_at": at,
        "request_payload_hash": "a" * 64,
        "status": "broadcast",
        **kw,
    }


def login(lid: str, at: str, device: str = "d1", country: str = "JP", **kw: object) -> dict:
    return {
        "login_id": lid,
        "customer_id": "c1",
        "logged_in_at": at,
        "device_id": device,
        "ip_country": country,
        "result": "success",
        **kw,
    }


HISTORY = [login("L0", "2026-11-01T09:00Z"), login("L1", "2026-11-05T09:00Z")]


def test_csr001_withdrawal_within_the_window_of_a_new_device_fails_at_the_edge_too() -> None:
    fx = Fixture(
        withdrawals=[
            wd("W-edge", T("13:00")),  # exactly 60 minutes after the new-device login
            wd("W-after", T("13:01")),  # one minute past the window
        ],
        customer_logins=[*HISTORY, login("L2", T("12:00"), device="d2")],
    )
    assert fx.keys("CSR-001", new_device_window_minutes=60) == {("W-edge",)}
    rows = fx.run("CSR-001", new_device_window_minutes=60).rows()
    assert rows[0]["signals"] == "new device" and rows[0]["minutes_after_signal"] == 60
    assert fx.population("CSR-001") == 2


def test_csr001_new_country_and_address_added_are_signals_a_known_device_is_not() -> None:
    fx = Fixture(
        withdrawals=[
            wd("W-country", T("10:30"), customer_id="c1"),
            wd("W-address", T("10:30"), customer_id="c2", destination_address="0xABCdef"),
            wd("W-known", T("10:30"), customer_id="c3"),
            wd("W-first", T("10:30"), customer_id="c4"),  # no history: not judged
            wd("W-failed", T("10:30"), customer_id="c5"),
        ],
        customer_logins=[
            *HISTORY,
            login("L2", T("10:00"), country="SG"),
            login("K1", "2026-11-01T09:00Z", customer_id="c3"),
            login("K2", T("10:00"), customer_id="c3"),
            login("F1", T("10:00"), customer_id="c4", device="dx", country="US"),
            login("X1", "2026-11-01T09:00Z", customer_id="c5"),
            login("X2", T("10:00"), customer_id="c5", device="dz", result="failure"),
        ],
        withdrawal_address_changes=[
            {"change_id": "A1", "customer_id": "c2", "changed_at": T("10:29"),
             "asset": "BTC", "address": "0xabcDEF", "action": "add"},
            {"change_id": "A2", "customer_id": "c3", "changed_at": T("10:29"),
             "asset": "BTC", "address": "bc1qother", "action": "add"},
        ],
    )  # fmt: skip
    assert fx.keys("CSR-001") == {("W-country",), ("W-address",)}
    signals = {r["withdrawal_id"]: r["signals"] for r in fx.run("CSR-001").rows()}
    assert signals == {"W-country": "new country", "W-address": "address added"}


def test_csr001_a_device_last_seen_before_the_lookback_is_new_again() -> None:
    fx = Fixture(
        withdrawals=[wd("W1", T("12:30"))],
        customer_logins=[
            login("L0", "2026-07-01T09:00Z", device="d2"),
            login("L1", "2026-11-05T09:00Z"),
            login("L2", T("12:00"), device="d2"),
        ],
    )
    assert fx.keys("CSR-001", lookback_days=90) == {("W1",)}
    assert fx.keys("CSR-001", lookback_days=200) == set()


def test_csr002_withdrawal_after_reactivation_fails_at_the_dormancy_and_window_edges() -> None:
    fx = Fixture(
        withdrawals=[
            wd("W-edge", T("12:00")),  # exactly 120 minutes after the reactivating login
            wd("W-late", T("12:01"), customer_id="c2"),  # one minute past it
            wd("W-short", T("10:30"), customer_id="c3"),  # 179 days dormant only
            wd("W-new", T("10:30"), customer_id="c4"),  # first login ever: not judged
        ],
        customer_logins=[
            login("A0", "2026-05-14T10:00Z"),  # exactly 180 days before A1
            login("A1", T("10:00")),
            login("B0", "2026-05-14T10:00Z", customer_id="c2"),
            login("B1", T("10:00"), customer_id="c2"),
            login("C0", "2026-05-15T10:00Z", customer_id="c3"),
            login("C1", T("10:00"), customer_id="c3"),
            login("D1", T("10:00"), customer_id="c4"),
        ],
    )
    assert fx.keys("CSR-002", dormancy_days=180, window_minutes=120) == {("W-edge",)}
    assert fx.run("CSR-002", window_minutes=120).rows()[0]["dormant_days"] == 180
    assert fx.keys("CSR-002", dormancy_days=179, window_minutes=121) == {
        ("W-edge",), ("W-late",), ("W-short",)
    }  # fmt: skip
    assert fx.population("CSR-002") == 4


def debit(eid: str, wid: str | None, amount: int = 100, **kw: object) -> dict:
    return {
        "entry_id": eid,
        "customer_id": "c1",
        "asset": "BTC",
        "direction": "debit",
        "amount": amount,
        "kind": "withdrawal",
        "withdrawal_id": wid,
        "posted_at": T("11:59"),
        **kw,
    }


def test_csr003_each_executed_withdrawal_has_exactly_one_debit_of_its_amount() -> None:
    fx = Fixture(
        withdrawals=[
            wd("W-ok"),
            wd("W-none"),  # forged under the limit: coins left, no debit
            wd("W-two"),
            wd("W-less"),
            wd("W-other", customer_id="c2"),
            wd("W-pending", status="approved"),  # debited before execution: fine
            wd("W-rejected", status="rejected"),  # debited and reversed: fine
            wd("W-cancelled", status="cancelled"),  # debited, never reversed
            wd("W-int", kind="internal", customer_id=None),
        ],
        customer_ledger_entries=[
            debit("E-ok", "W-ok"),
            debit("E-two-a", "W-two"),
            debit("E-two-b", "W-two"),
            debit("E-less", "W-less", amount=99),
            debit("E-other", "W-other"),
            debit("E-pending", "W-pending"),
            debit("E-rej", "W-rejected"),
            debit("E-rej-back", "W-rejected", direction="credit", kind="withdrawal_reversal"),
            debit("E-cancel", "W-cancelled"),
            debit("E-orphan", None),
            debit("E-unknown", "W-ghost"),
            debit("E-int", "W-int"),
            debit("E-fee", None, kind="fee"),  # not a withdrawal debit
        ],
    )
    reasons = {r["record_id"]: r["reason"] for r in fx.run("CSR-003").rows()}
    assert reasons == {
        "W-none": "no ledger debit",
        "W-two": "more than one ledger debit",
        "W-less": "amount differs",
        "W-other": "debit on another customer",
        "E-cancel": "withdrawal not executed and debit not reversed",
        "E-orphan": "debit names no withdrawal",
        "E-unknown": "debit names an unknown withdrawal",
        "E-int": "debit names an internal transfer",
    }
    # executed customer withdrawals (W-ok, W-none, W-two, W-less, W-other) + 11 withdrawal debits
    assert fx.population("CSR-003") == 5 + 11


def test_csr003_a_debit_posted_after_the_as_of_day_is_not_seen_yet() -> None:
    fx = Fixture(
        withdrawals=[wd("W1")],
        customer_ledger_entries=[debit("E1", "W1", posted_at="2026-11-21T00:00Z")],
    )
    assert fx.keys("CSR-003") == {("W1",)}
    assert fx.keys("CSR-003", as_of=dt.date(2026, 11, 21)) == set()


def test_csr004_deposit_from_a_listed_address_fails_from_its_listing_day() -> None:
    fx = Fixture(
        sanctioned_addresses=[
            {"list_name": "OFAC-SDN", "address": "0xAbC", "asset": "ETH",
             "listed_on": "2026-11-10", "source": "sdn.csv"},
            {"list_name": "OFAC-SDN", "address": "1BadBase58", "asset": "XBT",
             "listed_on": None, "source": "sdn.csv"},
        ],
        deposits=[
            {"deposit_id": "D-day", "customer_id": "c1", "asset": "ETH", "source_address": "0xabc",
             "amount": 5, "credited_at": "2026-11-10T00:00Z", "txid": "t1"},
            {"deposit_id": "D-before", "customer_id": "c1", "asset": "ETH",
             "source_address": "0xABC", "amount": 5, "credited_at": "2026-11-09T23:59Z",
             "txid": "t2"},
            {"deposit_id": "D-b58", "customer_id": "c2", "asset": "BTC",
             "source_address": "1BadBase58", "amount": 5, "credited_at": T("10:00"), "txid": "t3"},
            {"deposit_id": "D-case", "customer_id": "c2", "asset": "BTC",
             "source_address": "1badbase58", "amount": 5, "credited_at": T("10:00"), "txid": "t4"},
        ],
    )  # fmt: skip
    assert fx.keys("CSR-004") == {("D-day",), ("D-b58",)}
    assert fx.population("CSR-004") == 4
