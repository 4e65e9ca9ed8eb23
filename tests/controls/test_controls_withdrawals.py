"""Fixture tests of the withdrawal and transfer controls (WDR-*)."""

from __future__ import annotations

import datetime as dt

from helpers_controls import Fixture

H = {c: c * 64 for c in "abcdef"}  # payload hashes
T = "2026-11-10T{}:00Z".format
WALLETS = [
    {"wallet_id": "hot", "asset": "BTC", "tier": "hot", "purpose": "customer"},
    {"wallet_id": "cold", "asset": "BTC", "tier": "cold", "purpose": "customer"},
    {
        "wallet_id": "safe",
        "asset": "ETH",
        "tier": "cold",
        "purpose": "customer",
        "token_contract": None,
    },
    {
        "wallet_id": "usdc",
        "asset": "USDC",
        "tier": "hot",
        "purpose": "customer",
        "token_contract": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
    },
]


def wd(wid: str, wallet: str = "cold", **kw: object) -> dict:
    return {
        "withdrawal_id": wid,
        "kind": "internal",
        "wallet_id": wallet,
        "asset": "BTC",
        "destination_address": "bc1qdest",
        "amount": 100,
        "requested_at": T("01"),
        "request_payload_hash": H["a"],
        "status": "broadcast",
        **kw,
    }


def tx(txid: str, wid: str | None, wallet: str = "cold", **kw: object) -> dict:
    return {
        "txid": txid,
        "withdrawal_id": wid,
        "wallet_id": wallet,
        "asset": "BTC",
        "destination_address": "bc1qdest",
        "amount": 100,
        "payload_hash": H["a"],
        "signer_key_fingerprints": "aaaaaaaa;bbbbbbbb",
        "call_type": "transfer",
        "signed_at": T("05"),
        **kw,
    }


def appr(aid: str, wid: str, person: str, at: str = T("03"), **kw: object) -> dict:
    return {
        "approval_id": aid,
        "withdrawal_id": wid,
        "approver_person_id": person,
        "approver_account_id": f"acc-{person}",
        "decision": "approve",
        "approved_at": at,
        "approved_payload_hash": H["a"],
        **kw,
    }


def test_wdr001_destination_amount_and_missing_transaction() -> None:
    fx = Fixture(
        wallets=WALLETS,
        withdrawals=[
            wd("W1"),
            wd("W2"),
            wd("W3"),
            wd("W4", destination_address="BC1QDEST"),  # same bech32 address, other case
            wd("W5"),  # broadcast, but no transaction signed
            wd("W6", status="requested"),  # pending: nothing to match yet
            wd("W7", wallet="safe", asset="ETH", destination_address="0xAbCd"),
        ],
        signed_transactions=[
            tx("t1", "W1"),
            tx("t2", "W2", destination_address="bc1qattacker"),
            tx("t3", "W3", amount=101),
            tx("t4", "W4"),
            tx("t7", "W7", wallet="safe", asset="ETH", destination_address="0xabcd"),
        ],
    )
    assert fx.keys("WDR-001") == {("W2",), ("W3",), ("W5",)}
    reasons = {r["withdrawal_id"]: r["mismatch"] for r in fx.run("WDR-001").rows()}
    assert reasons == {
        "W2": "destination differs",
        "W3": "amount differs",
        "W5": "no signed transaction",
    }
    assert fx.population("WDR-001") == 6


def test_wdr002_signed_hash_must_equal_every_approved_hash() -> None:
    fx = Fixture(
        signed_transactions=[tx("t1", "W1"), tx("t2", "W2", payload_hash=H["b"]), tx("t3", "W3")],
        withdrawal_approvals=[
            appr("A1", "W1", "p1"),
            appr("A2", "W1", "p2"),
            appr("A3", "W2", "p1"),
            appr("A4", "W2", "p2"),  # both approved A, B was signed
            appr("A5", "W3", "p1"),
            appr("A6", "W3", "p2", approved_payload_hash=None),
            appr("A7", "W1", "p3", decision="reject", approved_payload_hash=H["c"]),
        ],
    )
    assert fx.keys("WDR-002") == {("W2",), ("W3",)}
    w2 = next(r for r in fx.run("WDR-002").rows() if r["withdrawal_id"] == "W2")
    assert w2["mismatching_approvals"] == 2 and w2["signed_payload_hash"] == H["b"]


APPROVER_ROLE = [{"role_id": "APP", "privileged": True, "duty": "withdrawal_approver"}]


def approver_accounts(*people: str) -> list[dict]:
    return [{"account_id": f"acc-{p}", "person_id": p} for p in people]


def approver_grants(*people: str, **kw: object) -> list[dict]:
    """Each person holds the approver role from long before the fixtures' approvals."""
    base = {"role_id": "APP", "granted_at": "2026-01-01T00:00:00Z", **kw}
    return [{"grant_id": f"g-{p}", "account_id": f"acc-{p}", **base} for p in people]


def test_wdr003_distinct_approvers_none_the_requester() -> None:
    fx = Fixture(
        wallets=WALLETS,
        roles=APPROVER_ROLE,
        role_grants=approver_grants("p1", "p2", "req"),
        accounts=[{"account_id": "acc-req", "person_id": "req"}, *approver_accounts("p1", "p2")],
        withdrawals=[
            wd("W1", requested_by="acc-req"),
            wd("W2", requested_by="acc-req"),  # one approver twice
            wd("W3", requested_by="acc-req"),  # the requester approves
            wd("W4", wallet="hot", kind="customer", amount=100000000),  # at the limit: auto
            wd("W5", wallet="hot", kind="customer", amount=100000001),  # above: needs 2
            wd("W6", status="rejected"),
            wd("W7", wallet="safe", asset="ETH"),  # cold, no approvals
        ],
        withdrawal_approvals=[
            appr("A1", "W1", "p1"),
            appr("A2", "W1", "p2"),
            appr("A3", "W2", "p1"),
            appr("A4", "W2", "p1"),
            appr("A5", "W3", "p1"),
            appr("A6", "W3", "p2"),
            appr("A7", "W3", "req"),
            appr("A8", "W5", "p1"),
        ],
    )
    assert fx.keys("WDR-003") == {("W2",), ("W3",), ("W5",), ("W7",)}
    assert fx.keys("WDR-003", min_approvals=1) == {("W3",), ("W7",)}
    # no limit listed for BTC: every hot BTC withdrawal needs approvals
    assert ("W4",) in fx.keys("WDR-003", auto_approve_limits="ETH=1")
    # an asset listed twice: each withdrawal still counts once, under the stricter limit
    twice = "BTC=100000001;BTC=100000000"
    assert fx.population("WDR-003", auto_approve_limits=twice) == fx.population("WDR-003")
    rows = fx.run("WDR-003", auto_approve_limits=twice).rows()
    assert sorted(r["withdrawal_id"] for r in rows) == ["W2", "W3", "W5", "W7"]


def _wdr003(
    withdrawals: list[dict],
    approvals: list[dict],
    grants: list[dict] | None = None,
    **params: object,
) -> set[tuple[str, ...]]:
    fx = Fixture(
        wallets=WALLETS,
        wallet_addresses=[{"wallet_id": "cold", "address": "bc1qCOLD"}],
        roles=APPROVER_ROLE,
        role_grants=approver_grants("p1", "p2", "p3") if grants is None else grants,
        accounts=[
            {"account_id": "acc-req", "person_id": "req"},
            *approver_accounts("p1", "p2", "p3"),
        ],
        withdrawals=withdrawals,
        withdrawal_approvals=approvals,
    )
    return fx.keys("WDR-003", **params)


def test_wdr003_self_approval_fails_whatever_the_size() -> None:
    # v1 tested only above the hot wallet's auto-approval limit: a requester could approve a
    # small transfer of their own and pass
    small = wd("S1", wallet="hot", amount=1, requested_by="acc-req")
    at_limit = wd("S2", wallet="hot", amount=100000000, requested_by="acc-req")
    clean_small = wd("S3", wallet="hot", amount=1, requested_by="acc-req")
    approvals = [
        appr("A1", "S1", "req"),
        appr("A2", "S2", "p1", approver_account_id="acc-req"),
        appr("A3", "S3", "p1"),
    ]
    assert _wdr003([small, at_limit, clean_small], approvals) == {("S1",), ("S2",)}


def test_wdr003_approver_must_hold_the_role_at_the_moment_of_approval() -> None:
    w = [wd(f"W{i}") for i in range(1, 5)]
    at = T("03")  # every approval below is at 2026-11-10T03:00Z
    grants = [
        # p1 holds the role throughout
        *approver_grants("p1"),
        # p2: granted exactly at the approval (counts); p3: revoked exactly then (does not)
        {"grant_id": "g-p2", "account_id": "acc-p2", "role_id": "APP", "granted_at": at},
        {
            "grant_id": "g-p3",
            "account_id": "acc-p3",
            "role_id": "APP",
            "granted_at": "2026-01-01T00:00:00Z",
            "revoked_at": at,
        },
    ]
    approvals = [
        appr("A1", "W1", "p1"),
        appr("A2", "W1", "p2"),  # both held the role: passes
        appr("A3", "W2", "p1"),
        appr("A4", "W2", "p3"),  # p3's role ended at that instant
        appr("A5", "W3", "p1"),
        appr("A6", "W3", "p2", at=T("02")),  # before p2's grant
        appr("A7", "W4", "p1"),
        appr("A8", "W4", "p2"),
        appr("A9", "W4", "p3"),  # 2 ok + 1 not
    ]
    assert _wdr003(w, approvals, grants) == {("W2",), ("W3",), ("W4",)}
    # the role's duty is a parameter: nobody holds "treasury_ops", so nothing counts
    assert _wdr003(w[:1], approvals[:2], grants, approver_duty="treasury_ops") == {("W1",)}


def test_wdr003_sweeps_to_own_registered_cold_wallet() -> None:
    sweeps = [
        wd("SW1", wallet="hot", amount=10**9, destination_address="bc1qcold"),  # registered (case)
        wd("SW2", wallet="hot", amount=10**9, destination_address="bc1qelsewhere"),  # not ours
        wd("SW3", wallet="hot", amount=10**9, destination_address="bc1qcold", kind="customer"),
        wd(
            "SW4",
            wallet="hot",
            amount=10**9,
            destination_address="bc1qcold",
            requested_by="acc-req",
        ),  # a sweep approved by its requester still fails
    ]
    approvals = [appr("A1", "SW4", "req")]
    assert _wdr003(sweeps, approvals) == {("SW2",), ("SW3",), ("SW4",)}
    assert _wdr003(sweeps, approvals, sweep_exemption=False) == {
        ("SW1",),
        ("SW2",),
        ("SW3",),
        ("SW4",),
    }
    assert ("SW1",) in _wdr003(sweeps, approvals, sweep_source_tiers="warm")


def test_wdr004_approvals_strictly_before_first_signature() -> None:
    fx = Fixture(
        signed_transactions=[
            tx("t1", "W1"),
            tx("t2", "W2"),
            tx("t3", "W3"),
            # the same approval time written in Tokyo time: 14:00 JST = 05:00 UTC
        ],
        withdrawal_approvals=[
            appr("A1", "W1", "p1", T("03")),
            appr("A2", "W1", "p2", T("04")),
            appr("A3", "W2", "p1", T("03")),
            appr("A4", "W2", "p2", T("06")),
            appr("A5", "W3", "p1", "2026-11-10T14:05:00+09:00"),  # tie with signing: late
        ],
    )
    assert fx.keys("WDR-004") == {("W2",), ("W3",)}


def test_wdr005_transactions_without_request() -> None:
    fx = Fixture(
        withdrawals=[wd("W1")],
        signed_transactions=[tx("t1", "W1"), tx("t2", None), tx("t3", "W404")],
    )
    assert fx.keys("WDR-005") == {("t2",), ("t3",)}
    assert fx.population("WDR-005") == 3


ALLOW = [
    {
        "change_id": "C1",
        "wallet_id": "cold",
        "address": "bc1qold",
        "action": "add",
        "effective_at": "2026-11-01T00:00:00Z",
    },
    {
        "change_id": "C2",
        "wallet_id": "cold",
        "address": "bc1qnew",
        "action": "add",
        "effective_at": "2026-11-09T12:00:00Z",
    },
    {
        "change_id": "C3",
        "wallet_id": "cold",
        "address": "bc1qtie",
        "action": "add",
        "effective_at": "2026-11-09T01:00:00Z",
    },
    {
        "change_id": "C4",
        "wallet_id": "cold",
        "address": "bc1qgone",
        "action": "add",
        "effective_at": "2026-11-01T00:00:00Z",
    },
    {
        "change_id": "C5",
        "wallet_id": "cold",
        "address": "bc1qgone",
        "action": "remove",
        "effective_at": "2026-11-05T00:00:00Z",
    },
    {
        "change_id": "C6",
        "wallet_id": "hot",
        "address": "bc1qother",
        "action": "add",
        "effective_at": "2026-11-01T00:00:00Z",
    },
    {
        "change_id": "C7",
        "wallet_id": "cold",
        "address": "bc1qlater",
        "action": "add",
        "effective_at": "2026-11-15T00:00:00Z",
    },
]


def allow_fixture() -> Fixture:
    return Fixture(
        wallets=WALLETS,
        address_allowlist_changes=ALLOW,
        withdrawals=[
            wd("W1", destination_address="bc1qold"),
            wd("W2", destination_address="bc1qnew"),  # listed 13 h before
            wd("W3", destination_address="bc1qtie"),  # listed exactly 24 h before
            wd("W4", destination_address="bc1qgone"),  # removed
            wd("W5", destination_address="bc1qother"),  # listed for another wallet
            wd("W6", destination_address="bc1qlater"),  # listed after the request
            wd("W7", destination_address="bc1qnever"),
            wd("W8", wallet="hot", kind="customer", destination_address="bc1qnever"),
            wd("W9", destination_address="bc1qnever", status="rejected"),
        ],
    )


def test_wdr006_cooling_off_on_listed_destinations_with_tie() -> None:
    fx = allow_fixture()
    assert fx.keys("WDR-006") == {("W2",)}
    assert fx.population("WDR-006") == 3
    assert fx.keys("WDR-006", cooling_off_hours=24.5) == {("W2",), ("W3",)}
    assert fx.run("WDR-006").rows()[0]["hours_listed_before_request"] == 13


def test_wdr011_not_listed_when_requested() -> None:
    fx = allow_fixture()
    assert fx.keys("WDR-011") == {("W4",), ("W5",), ("W6",), ("W7",)}
    assert fx.population("WDR-011") == 7  # warm/cold, not rejected


def test_wdr007_velocity_per_customer_asset_and_utc_day() -> None:
    def cw(i: int, customer: str, at: str, **kw: object) -> dict:
        return wd(
            f"V{i}", wallet="hot", kind="customer", customer_id=customer, requested_at=at, **kw
        )

    rows = [cw(i, "c1", "2026-11-10T10:00:00Z") for i in range(3)]  # exactly 3: passes
    rows += [cw(10 + i, "c2", "2026-11-10T10:00:00Z") for i in range(3)]
    # 08:00 JST on 11 Nov is 23:00 UTC on 10 Nov: the fourth on the 10th
    rows += [cw(20, "c2", "2026-11-11T08:00:00+09:00")]
    rows += [cw(30, "c3", "2026-11-10T10:00:00Z", status="rejected") for _ in range(1)]
    rows += [cw(31 + i, "c3", "2026-11-10T10:00:00Z") for i in range(3)]
    fx = Fixture(withdrawals=rows)
    assert fx.keys("WDR-007", velocity_limit_count=3) == {("c2", "BTC", "2026-11-10")}
    assert fx.keys("WDR-007") == set()


def test_wdr008_sanctioned_destinations() -> None:
    fx = Fixture(
        sanctioned_addresses=[
            {
                "list_name": "OFAC-SDN",
                "address": "0x8589427373D6D84E98730D7795D8f6f8731FDA16",
                "asset": "ETH",
            },
            {
                "list_name": "OFAC-SDN",
                "address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
                "asset": "XBT",
            },
            {
                "list_name": "OFAC-SDN",
                "address": "bc1qfuture",
                "asset": "XBT",
                "listed_on": "2026-12-01",
            },
        ],
        withdrawals=[
            wd("W1", destination_address="0x8589427373d6d84e98730d7795d8f6f8731fda16"),
            wd(
                "W2", destination_address="1boatslrhtknngkdxeeobr76b53lettpyt"
            ),  # base58: other address
            wd("W3", destination_address="1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            wd("W4", destination_address="bc1qfuture"),  # listed after the request
            wd("W5", destination_address="1BoatSLRHtKNngkdXEeobR76b53LETtpyT", status="rejected"),
        ],
    )
    assert fx.keys("WDR-008") == {("W1",), ("W3",)}


def test_wdr009_allowlist_dual_control() -> None:
    def ch(cid: str, **kw: object) -> dict:
        return {
            "change_id": cid,
            "wallet_id": "cold",
            "address": "bc1q",
            "action": "add",
            "requested_by": "p1",
            "approved_by": "p2",
            "requested_at": T("01"),
            "approved_at": T("02"),
            "effective_at": T("02"),
            **kw,
        }

    fx = Fixture(
        address_allowlist_changes=[
            ch("C1"),  # approved at the moment it took effect: passes
            ch("C2", approved_by=None, approved_at=None),
            ch("C3", approved_by="p1"),
            ch("C4", approved_at=T("03")),
            ch("C5", action="remove", approved_by=None),
            ch("C6", approved_by=None, effective_at="2026-12-01T00:00:00Z"),  # not yet effective
        ]
    )
    assert fx.keys("WDR-009") == {("C2",), ("C3",), ("C4",), ("C5",)}


def test_wdr010_delegatecall_and_unlisted_contract_calls() -> None:
    usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    fx = Fixture(
        wallets=WALLETS,
        address_allowlist_changes=[
            {
                "change_id": "C1",
                "wallet_id": "safe",
                "address": "0xListed",
                "action": "add",
                "effective_at": "2026-11-01T00:00:00Z",
            },
        ],
        signed_transactions=[
            tx("t1", "W1", wallet="safe", call_type="delegatecall", contract_address="0xlisted"),
            tx("t2", "W2", wallet="safe", call_type="contract_call", contract_address="0xunknown"),
            tx("t3", "W3", wallet="safe", call_type="contract_call", contract_address="0xLISTED"),
            tx("t4", "W4", wallet="usdc", call_type="contract_call", contract_address=usdc),
            tx("t5", "W5", wallet="safe", call_type="transfer"),
            tx("t6", "W6", wallet="safe", call_type="contract_call", contract_address=None),
        ],
    )
    assert fx.keys("WDR-010") == {("t1",), ("t2",), ("t6",)}


def test_wdr012_signers_active_keyholders_of_the_wallet() -> None:
    def k(fp: str, wallet: str = "cold", **kw: object) -> dict:
        return {
            "key_fingerprint": fp,
            "wallet_id": wallet,
            "person_id": "p",
            "device_id": fp,
            "location": "x",
            "key_role": "signer",
            "assigned_at": "2026-01-01T00:00:00Z",
            **kw,
        }

    fx = Fixture(
        keyholders=[
            k("aaaaaaaa"),
            k("bbbbbbbb"),
            k("cccccccc", revoked_at="2026-11-10T04:00:00Z"),  # revoked an hour before signing
            k("dddddddd", wallet="hot"),
        ],
        signed_transactions=[
            tx("t1", "W1"),
            tx("t2", "W2", signer_key_fingerprints="aaaaaaaa;cccccccc"),
            tx("t3", "W3", signer_key_fingerprints="aaaaaaaa;dddddddd"),
            tx("t4", "W4", signer_key_fingerprints=""),
            tx("t5", "W5", signer_key_fingerprints="AAAAAAAA;BBBBBBBB"),
        ],
    )
    assert fx.keys("WDR-012") == {("t2",), ("t3",), ("t4",)}
    assert fx.keys("WDR-012", as_of=dt.date(2026, 11, 9)) == set()  # signed after the as-of date
