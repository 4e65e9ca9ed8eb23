"""Fixture tests of the customer-side controls (CSR-*): account takeover, ledger, sanctions, KYC.

Customer ids are pseudonymous (``c1``...), as in the contracts.
"""

from __future__ import annotations

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
