"""Fixture tests of the customer-side controls (CSR-*): account takeover, ledger, sanctions, KYC.

Customer ids are pseudonymous (``c1``...), as in the contracts.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
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


def trm(mid: str, transfer: str, sent: str | None = T("11:00"), **kw: object) -> dict:
    fields = ("originator_name", "originator_account", "originator_identifier",
              "beneficiary_name", "beneficiary_account")  # fmt: skip
    return {
        "message_id": mid,
        "transfer_id": transfer,
        "direction": "outgoing",
        "counterparty_kind": "vasp",
        "counterparty_vasp": "VASP-B",
        **{f"{f}_present": True for f in fields},
        "sent_at": sent,
        **kw,
    }


def stx(txid: str, wid: str, broadcast: str | None = T("12:00")) -> dict:
    return {"txid": txid, "withdrawal_id": wid, "wallet_id": "hot", "asset": "BTC",
            "destination_address": "bc1qdest", "amount": 100, "payload_hash": "a" * 64,
            "signer_key_fingerprints": "aaaaaaaa", "call_type": "transfer",
            "signed_at": T("11:30"), "broadcast_at": broadcast}  # fmt: skip


def test_csr005_outgoing_messages_present_complete_and_sent_before_the_broadcast() -> None:
    ids = ["ok", "edge", "late", "none", "partial", "unsent", "unhosted", "small", "nobcast"]
    fx = Fixture(
        withdrawals=[wd(i, T("10:00"), amount=99 if i == "small" else 100) for i in ids],
        signed_transactions=[
            stx(f"t-{i}", i, broadcast=None if i == "nobcast" else T("12:00")) for i in ids
        ],
        travel_rule_messages=[
            trm("M-ok", "ok"),
            trm("M-edge", "edge", sent=T("12:00")),  # at the broadcast instant: in time
            trm("M-late", "late", sent=T("12:01")),
            trm("M-partial", "partial", originator_identifier_present=False),
            trm("M-unsent", "unsent", sent=None),
            trm("M-unh", "unhosted", counterparty_kind="unhosted", counterparty_vasp=None,
                beneficiary_name_present=False, sent=None),
            trm("M-nob", "nobcast", sent=T("11:31")),  # after signing, no broadcast time
        ],
    )  # fmt: skip
    reasons = {r["transfer_id"]: r["reason"] for r in fx.run("CSR-005").rows()}
    assert reasons == {
        "late": "message sent after the transfer",
        "none": "no Travel Rule record",
        "partial": "message incomplete",
        "unsent": "message not sent",
        "small": "no Travel Rule record",  # no threshold: every transfer is tested
        "nobcast": "message sent after the transfer",
    }
    # at the threshold (100) a transfer is tested, below it (99) it is not
    assert ("outgoing", "small") not in fx.keys("CSR-005", min_amounts="BTC=100")
    assert ("outgoing", "none") in fx.keys("CSR-005", min_amounts="BTC=100")
    assert fx.population("CSR-005", min_amounts="btc = 100 ; ETH=5") == len(ids) - 1


def test_csr005_incoming_deposits_need_a_complete_message_and_bad_thresholds_fail_loudly() -> None:
    deposit = {"customer_id": "c1", "asset": "ETH", "source_address": "0xs", "amount": 10,
               "credited_at": T("10:00"), "txid": "t"}  # fmt: skip
    fx = Fixture(
        deposits=[{"deposit_id": d, **deposit} for d in ("D-ok", "D-partial", "D-none")],
        travel_rule_messages=[
            trm("I-ok", "D-ok", direction="incoming", sent=T("13:00")),
            trm("I-p", "D-partial", direction="incoming", beneficiary_account_present=False),
            trm("O-x", "D-none", direction="outgoing"),  # the wrong direction does not count
        ],
    )
    assert fx.keys("CSR-005") == {("incoming", "D-partial"), ("incoming", "D-none")}
    with pytest.raises(duckdb.ConversionException, match="ten"):  # no verdict, never a pass
        fx.run("CSR-005", min_amounts="ETH=ten")


def kyc(
    customer: str, status: str = "verified", risk: str = "low", as_of: str = "2026-01-01"
) -> dict:
    return {"customer_id": customer, "as_of": as_of, "status": status, "risk_rating": risk}


def test_csr006_unverified_and_high_risk_limits_with_edges() -> None:
    fx = Fixture(
        withdrawals=[
            wd("W-ok", customer_id="c1"),
            wd("W-unv-edge", customer_id="c2", amount=50),
            wd("W-unv-over", customer_id="c2", amount=51),
            wd("W-hr-1", T("09:00"), customer_id="c3", amount=60),
            wd("W-hr-2", T("10:00"), customer_id="c3", amount=40),  # day total 100: at the limit
            wd("W-hr-3", T("11:00"), customer_id="c3", amount=1),  # day total 101
            wd("W-hr-next", "2026-11-11T00:00Z", customer_id="c3", amount=100),  # new UTC day
            wd("W-nokyc", customer_id="c9"),
            wd("W-future", customer_id="c4"),  # only KYC row starts after the request day
            wd("W-rejected", customer_id="c9", status="rejected"),
        ],
        customer_kyc=[
            kyc("c1"),
            kyc("c1", status="suspended", as_of="2026-11-11"),  # later than the request
            kyc("c2", status="pending"),
            kyc("c3", risk="high"),
            kyc("c4", as_of="2026-11-11"),
        ],
    )
    params = {"unverified_limits": "BTC=50", "high_risk_daily_limits": "BTC=100"}
    reasons = {r["withdrawal_id"]: r["reason"] for r in fx.run("CSR-006", **params).rows()}
    assert reasons == {
        "W-unv-over": "customer not verified",
        "W-hr-3": "high-risk customer above daily limit",
        "W-nokyc": "no KYC record",
        "W-future": "no KYC record",
    }
    # with no limits set, every withdrawal of an unverified or high-risk customer is an exception
    assert {("W-unv-edge",), ("W-hr-1",), ("W-hr-next",)} <= fx.keys("CSR-006")
    assert fx.population("CSR-006") == 9


@pytest.mark.parametrize(
    ("control_id", "empty"),
    [
        ("CSR-001", "customer_logins"),
        ("CSR-002", "customer_logins"),
        ("CSR-003", "customer_ledger_entries"),
        ("CSR-004", "deposits"),
        ("CSR-004", "sanctioned_addresses"),
        ("CSR-005", "travel_rule_messages"),
        ("CSR-006", "customer_kyc"),
    ],
)
def test_an_input_without_any_row_gives_no_verdict(control_id: str, empty: str) -> None:
    """The demo (and an exchange that did not export it) leaves the dataset empty: never a pass."""
    full = {
        "withdrawals": [wd("W1")],
        "customer_logins": HISTORY,
        "customer_ledger_entries": [debit("E1", "W1")],
        "deposits": [{"deposit_id": "D1", "customer_id": "c1", "asset": "BTC",
                      "source_address": "bc1qs", "amount": 1, "credited_at": T("10:00"),
                      "txid": "t"}],
        "sanctioned_addresses": [{"list_name": "L", "address": "x", "asset": "XBT",
                                  "source": "s"}],
        "travel_rule_messages": [trm("M1", "W1")],
        "customer_kyc": [kyc("c1")],
    }  # fmt: skip
    fx = Fixture(**{name: rows for name, rows in full.items() if name != empty})
    with pytest.raises(duckdb.InvalidInputException, match=f"{empty} holds no rows"):
        fx.population(control_id)
    Fixture(**full).population(control_id)  # with every input present it runs
