"""Fixture tests of the key and multi-signature controls (KEY-*)."""

from __future__ import annotations

import datetime as dt

from helpers_controls import CATALOG, Fixture

T0 = "2026-01-01T00:00:00Z"


def key(fp: str, wallet: str, person: str, device: str, location: str = "L1", **kw: str) -> dict:
    return {
        "key_fingerprint": fp,
        "wallet_id": wallet,
        "person_id": person,
        "device_id": device,
        "location": location,
        "key_role": "signer",
        "assigned_at": T0,
        **kw,
    }


def test_key001_and_key003_delegate_to_custody_logic() -> None:
    for cid in ("KEY-001", "KEY-003"):
        control = CATALOG[cid]
        assert control.logic and control.logic.startswith("kansa.custody.controls:")
        assert control.test_sql is None


def test_key002_thresholds_per_tier_with_ties() -> None:
    fx = Fixture(
        wallets=[
            {"wallet_id": "h1", "tier": "hot", "approved_threshold": 2, "created_at": T0},
            {"wallet_id": "h2", "tier": "hot", "approved_threshold": 1, "created_at": T0},
            {"wallet_id": "c1", "tier": "cold", "approved_threshold": 3, "created_at": T0},
            {"wallet_id": "c2", "tier": "cold", "approved_threshold": 2, "created_at": T0},
            {"wallet_id": "w1", "tier": "warm", "approved_threshold": 2, "created_at": T0},
            # created after the as-of date: not yet in the population
            {
                "wallet_id": "c3",
                "tier": "cold",
                "approved_threshold": 1,
                "created_at": "2026-12-01T00:00:00Z",
            },
        ]
    )
    assert fx.keys("KEY-002") == {("h2",), ("c2",)}
    assert fx.population("KEY-002") == 5
    assert fx.keys("KEY-002", min_threshold_warm=3) == {("h2",), ("c2",), ("w1",)}


def test_key004_leaver_keys_revoked_within_max_days() -> None:
    fx = Fixture(
        staff=[
            {"person_id": "p_ok", "left_on": "2026-11-10"},
            {"person_id": "p_late", "left_on": "2026-11-10"},
            {"person_id": "p_never", "left_on": "2026-11-10"},
            {"person_id": "p_recent", "left_on": "2026-11-19"},
            {"person_id": "p_stays"},
        ],
        keyholders=[
            # revoked 23:30 JST on 11 Nov = 14:30 UTC 11 Nov: one day after leaving, a tie
            key("aaaaaaa1", "w", "p_ok", "d1", revoked_at="2026-11-11T23:30:00+09:00"),
            # 00:30 UTC on 12 Nov: two days
            key("aaaaaaa2", "w", "p_late", "d2", revoked_at="2026-11-12T09:30:00+09:00"),
            key("aaaaaaa3", "w", "p_never", "d3"),
            key("aaaaaaa4", "w", "p_recent", "d4"),  # deadline 20 Nov not passed yet
            key("aaaaaaa5", "w", "p_stays", "d5"),
        ],
    )
    assert fx.keys("KEY-004") == {("aaaaaaa2",), ("aaaaaaa3",)}
    assert fx.population("KEY-004") == 4
    assert fx.keys("KEY-004", as_of=dt.date(2026, 11, 21)) == {
        ("aaaaaaa2",),
        ("aaaaaaa3",),
        ("aaaaaaa4",),
    }
    never = next(r for r in fx.run("KEY-004").rows() if r["key_fingerprint"] == "aaaaaaa3")
    assert never["days_after_leaving"] == 10


def test_key005_and_key006_two_active_keys_per_person_or_device() -> None:
    fx = Fixture(
        keyholders=[
            key("00000001", "w", "alice", "dev1"),
            key("00000002", "w", "alice", "dev2"),  # alice: two keys of w
            key("00000003", "w", "bob", "dev2"),  # dev2: two keys of w
            key("00000004", "v", "alice", "dev9"),  # another wallet: fine
            key("00000005", "w", "carol", "dev5"),
            key("00000006", "w", "carol", "dev5", revoked_at="2026-11-20T15:00:00Z"),
        ]
    )
    # carol's second key was revoked at 15:00 UTC on 20 Nov (already 21 Nov in Tokyo):
    # revoked by the end of the as-of date in UTC, so active only up to 19 Nov
    assert fx.keys("KEY-005") == {("w", "alice")}
    assert fx.keys("KEY-006") == {("w", "dev2")}
    assert fx.keys("KEY-005", as_of=dt.date(2026, 11, 19)) == {("w", "alice"), ("w", "carol")}
    assert fx.keys("KEY-006", as_of=dt.date(2026, 11, 19)) == {("w", "dev2"), ("w", "dev5")}
    assert fx.run("KEY-005").rows()[0]["key_fingerprints"] == "00000001;00000002"
    assert Fixture().keys("KEY-005") == set()


def test_key007_locations_cold_all_distinct_hot_minimum() -> None:
    fx = Fixture(
        wallets=[
            {"wallet_id": "c_ok", "tier": "cold"},
            {"wallet_id": "c_bad", "tier": "cold"},
            {"wallet_id": "h_ok", "tier": "hot"},
            {"wallet_id": "h_bad", "tier": "hot"},
            {"wallet_id": "h_single", "tier": "hot"},
        ],
        keyholders=[
            key("10000001", "c_ok", "a", "d1", "tokyo"),
            key("10000002", "c_ok", "b", "d2", "osaka"),
            key("10000003", "c_ok", "c", "d3", "fukuoka"),
            key("10000004", "c_bad", "a", "d4", "tokyo"),
            key("10000005", "c_bad", "b", "d5", "osaka"),
            key("10000006", "c_bad", "c", "d6", "osaka"),
            key("10000007", "h_ok", "a", "d7", "tokyo"),
            key("10000008", "h_ok", "b", "d8", "tokyo"),
            key("10000009", "h_ok", "c", "d9", "osaka"),
            key("1000000a", "h_bad", "a", "da", "tokyo"),
            key("1000000b", "h_bad", "b", "db", "tokyo"),
            key("1000000c", "h_single", "a", "dc", "tokyo"),
        ],
    )
    assert fx.keys("KEY-007") == {("c_bad",), ("h_bad",)}
    assert fx.keys("KEY-007", min_locations=3) == {("c_bad",), ("h_bad",), ("h_ok",)}


DESC_COLD = (
    "wsh(sortedmulti(2,[AABBCCDD/48h/0h/0h/2h]xpubA/0/*,[11223344/48'/0'/0'/2']xpubB/0/*))#abcd1234"
)
DESC_HOT = (
    "wsh(sortedmulti(2,[aabbccdd/48h/0h/0h/2h]xpubA/0/*,[55667788/48h/0h/0h/2h]xpubC/0/*))#efgh5678"
)
SAFE_OWNERS = "0x" + "1" * 40 + ";0x" + "2" * 40


def test_key008_master_key_in_hot_and_cold_wallets() -> None:
    fx = Fixture(
        wallets=[
            {"wallet_id": "cold", "tier": "cold", "descriptor": DESC_COLD},
            {"wallet_id": "hot", "tier": "hot", "descriptor": DESC_HOT},
            {"wallet_id": "safe_c", "tier": "cold", "safe_owners": SAFE_OWNERS},
            {"wallet_id": "safe_c2", "tier": "cold", "safe_owners": SAFE_OWNERS},  # same tier
        ]
    )
    assert fx.keys("KEY-008") == {("aabbccdd",)}
    assert fx.run("KEY-008").rows()[0]["wallet_ids"] == "cold;hot"


def test_key009_policy_keys_need_one_active_keyholder_of_the_wallet() -> None:
    fx = Fixture(
        wallets=[
            {"wallet_id": "cold", "tier": "cold", "descriptor": DESC_COLD, "created_at": T0},
            {"wallet_id": "safe", "tier": "cold", "safe_owners": SAFE_OWNERS, "created_at": T0},
        ],
        keyholders=[
            key("aabbccdd", "cold", "a", "d1"),
            key(
                "11223344", "cold", "b", "d2", revoked_at="2026-11-01T00:00:00Z"
            ),  # still in policy
            key("0x" + "1" * 40, "safe", "c", "d3"),
            key("0x" + "2" * 40, "other", "d", "d4"),  # registered to another wallet
        ],
    )
    assert fx.keys("KEY-009") == {("cold", "11223344"), ("safe", "0x" + "2" * 40)}
    assert fx.population("KEY-009") == 4


def test_key010_background_check_age_and_missing() -> None:
    fx = Fixture(
        staff=[
            {"person_id": "fresh", "background_checked_on": "2023-11-21"},  # 1095 days: tie
            {"person_id": "stale", "background_checked_on": "2023-11-20"},
            {"person_id": "never"},
        ],
        keyholders=[
            key("20000001", "w", "fresh", "d1"),
            key("20000002", "w", "stale", "d2"),
            key("20000003", "w", "never", "d3"),
            key("20000004", "w", "ghost", "d4"),  # not in the staff register
            key("20000005", "w", "never", "d5", revoked_at="2026-10-01T00:00:00Z"),
        ],
    )
    assert fx.keys("KEY-010") == {("20000002",), ("20000003",), ("20000004",)}


def test_key011_approver_holding_a_key_of_the_wallet_at_approval_time() -> None:
    fx = Fixture(
        withdrawals=[
            {"withdrawal_id": "W1", "wallet_id": "cold"},
            {"withdrawal_id": "W2", "wallet_id": "cold"},
        ],
        withdrawal_approvals=[
            {
                "approval_id": "A1",
                "withdrawal_id": "W1",
                "approver_person_id": "alice",
                "decision": "approve",
                "approved_at": "2026-11-10T00:00:00Z",
            },
            {
                "approval_id": "A2",
                "withdrawal_id": "W1",
                "approver_person_id": "bob",
                "decision": "approve",
                "approved_at": "2026-11-10T00:00:00Z",
            },
            {
                "approval_id": "A3",
                "withdrawal_id": "W2",
                "approver_person_id": "carol",
                "decision": "approve",
                "approved_at": "2026-11-10T00:00:00Z",
            },
            {
                "approval_id": "A4",
                "withdrawal_id": "W2",
                "approver_person_id": "alice",
                "decision": "reject",
                "approved_at": "2026-11-10T00:00:00Z",
            },
        ],
        keyholders=[
            key("30000001", "cold", "alice", "d1"),
            key("30000002", "hot", "bob", "d2"),  # another wallet
            key(
                "30000003", "cold", "carol", "d3", revoked_at="2026-11-09T00:00:00Z"
            ),  # revoked before
        ],
    )
    assert fx.keys("KEY-011") == {("W1", "alice")}
    assert fx.population("KEY-011") == 3
