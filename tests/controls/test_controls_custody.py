"""Fixture tests of the custody and segregation controls (CUS-*)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers_controls import Fixture

from kansa.errors import KansaError

D1, D2 = "2026-11-19", "2026-11-20"
WALLETS = [
    {"wallet_id": "cold1", "asset": "BTC", "tier": "cold", "purpose": "customer"},
    {"wallet_id": "hot1", "asset": "BTC", "tier": "hot", "purpose": "customer"},
    {"wallet_id": "pg1", "asset": "BTC", "tier": "hot", "purpose": "performance_guarantee"},
    {"wallet_id": "house1", "asset": "BTC", "tier": "hot", "purpose": "house"},
]


def custody(balances: dict[str, dict[str, int]], ledger: dict[str, int]) -> Fixture:
    """Wallet balances {day: {wallet: amount}} and one customer's BTC ledger {day: amount}."""
    return Fixture(
        wallets=WALLETS,
        wallet_balances=[
            {"as_of": d, "wallet_id": w, "asset": "BTC", "balance": b}
            for d, per in balances.items()
            for w, b in per.items()
        ],
        customer_balances=[
            {"as_of": d, "customer_id": "C1", "asset": "BTC", "balance": b}
            for d, b in ledger.items()
        ],
    )


def test_cus001_flags_days_below_min_cold_share_and_passes_ties() -> None:
    fx = custody(
        {D1: {"cold1": 95, "hot1": 5}, D2: {"cold1": 94, "hot1": 6}},
        {D1: 100, D2: 100},
    )
    assert fx.keys("CUS-001") == {("BTC", D2)}  # 95% exactly passes, 94% fails
    assert fx.population("CUS-001") == 2
    row = fx.run("CUS-001").rows()[0]
    assert row["cold_amount"] == 94 and row["total_customer_amount"] == 100
    assert fx.keys("CUS-001", min_cold_share=0.96) == {("BTC", D1), ("BTC", D2)}


def test_cus001_ignores_days_after_as_of_and_days_without_cold_balance_fail() -> None:
    fx = custody({D1: {"hot1": 100}, D2: {"cold1": 100}}, {D1: 100, D2: 100})
    assert fx.keys("CUS-001", as_of=dt.date(2026, 11, 19)) == {("BTC", D1)}


def test_cus002_guarantee_must_cover_customer_amount_outside_cold() -> None:
    fx = custody(
        {
            D1: {"cold1": 950, "hot1": 50, "pg1": 50},  # exactly covered
            D2: {"cold1": 950, "hot1": 50, "pg1": 49},  # short by 1
        },
        {D1: 1000, D2: 1000},
    )
    assert fx.keys("CUS-002") == {("BTC", D2)}
    assert fx.run("CUS-002").rows()[0]["shortfall"] == 1


def test_cus002_fully_cold_needs_no_guarantee() -> None:
    fx = custody({D1: {"cold1": 1000}}, {D1: 1000})
    assert fx.keys("CUS-002") == set()
    assert Fixture().keys("CUS-002") == set()  # empty population


def test_cus003_reconciles_customer_wallets_with_ledger_both_ways() -> None:
    fx = custody(
        {D1: {"cold1": 900, "hot1": 100, "house1": 7}, D2: {"cold1": 900, "hot1": 101}},
        {D1: 1000, D2: 1000},
    )
    # the house wallet is not customer money; D2 holds 1 more than the ledger
    assert fx.keys("CUS-003") == {("BTC", D2)}
    assert fx.keys("CUS-003", tolerance_bps=10) == set()  # 1/1000 = 10 bps: tie passes


def test_cus003_ledger_without_wallets_and_wallets_without_ledger_fail() -> None:
    fx = custody({D2: {"cold1": 5}}, {D1: 10})
    assert fx.keys("CUS-003") == {("BTC", D1), ("BTC", D2)}


def test_cus003_amounts_wider_than_64_bits() -> None:
    wei = 10**24
    fx = Fixture(
        wallets=[{"wallet_id": "e", "asset": "ETH", "tier": "cold", "purpose": "customer"}],
        wallet_balances=[{"as_of": D1, "wallet_id": "e", "asset": "ETH", "balance": wei + 1}],
        customer_balances=[{"as_of": D1, "customer_id": "C", "asset": "ETH", "balance": wei}],
    )
    rows = fx.run("CUS-003").rows()
    assert [r["difference"] for r in rows] == [1]


def test_cus004_negative_balances_only() -> None:
    fx = Fixture(
        customer_balances=[
            {"as_of": D1, "customer_id": "C1", "asset": "BTC", "balance": -1},
            {"as_of": D1, "customer_id": "C2", "asset": "BTC", "balance": 0},
            {"as_of": D2, "customer_id": "C1", "asset": "ETH", "balance": 5},
        ]
    )
    assert fx.keys("CUS-004") == {("C1", "BTC", D1)}
    assert fx.population("CUS-004") == 3


def test_cus005_address_shared_by_customer_and_house_wallets() -> None:
    fx = Fixture(
        wallets=[
            *WALLETS,
            {"wallet_id": "ethc", "asset": "ETH", "purpose": "customer", "safe_address": "0xAbC1"},
            {"wallet_id": "ethh", "asset": "ETH", "purpose": "house"},
        ],
        wallet_addresses=[
            {"wallet_id": "cold1", "address": "bc1qshared"},
            {"wallet_id": "house1", "address": "BC1QSHARED"},  # same bech32 address, upper case
            {"wallet_id": "cold1", "address": "bc1qcold"},
            {"wallet_id": "hot1", "address": "bc1qcold"},  # two customer wallets: not mixing
            {"wallet_id": "ethh", "address": "0xabc1"},  # the customer Safe's address
            {"wallet_id": "cold1", "address": "1Base58"},
            {"wallet_id": "house1", "address": "1base58"},  # base58 is case-sensitive
        ],
    )
    assert fx.keys("CUS-005") == {("BC1QSHARED",), ("0xAbC1",)}


def test_cus006_missing_days_per_asset() -> None:
    fx = Fixture(
        customer_balances=[
            {"as_of": "2026-11-17", "customer_id": "C1", "asset": "BTC", "balance": 1},
            {"as_of": "2026-11-19", "customer_id": "C1", "asset": "BTC", "balance": 1},
            {"as_of": "2026-11-20", "customer_id": "C1", "asset": "ETH", "balance": 1},
        ]
    )
    assert fx.keys("CUS-006") == {("BTC", "2026-11-18"), ("BTC", "2026-11-20")}
    assert fx.population("CUS-006") == 5  # BTC 17..20, ETH 20
    assert Fixture().keys("CUS-006") == set()


def test_cus007_concentration_with_tie() -> None:
    fx = custody({D1: {"cold1": 80, "hot1": 20}, D2: {"cold1": 81, "hot1": 19}}, {})
    assert fx.keys("CUS-007") == {("cold1", D2)}
    assert fx.keys("CUS-007", max_wallet_share=0.5) == {("cold1", D1), ("cold1", D2)}


def test_cus008_reserves_must_cover_liabilities_on_the_as_of_day() -> None:
    as_of = dt.date.fromisoformat(D2)
    # D2: customer wallets hold 999 against 1000 owed; the house wallet does not count
    fx = custody(
        {D1: {"cold1": 1000}, D2: {"cold1": 900, "hot1": 99, "house1": 50}}, {D1: 1000, D2: 1000}
    )
    assert fx.keys("CUS-008", as_of) == {("BTC", D2)}
    row = fx.run("CUS-008", as_of).rows()[0]
    assert (row["liabilities"], row["reserves"]) == (1000, 999)
    assert fx.population("CUS-008", as_of) == 1
    # over-reserved and exactly reserved both pass; only the as-of day is judged
    assert fx.keys("CUS-008", dt.date.fromisoformat(D1)) == set()
    assert custody({D2: {"cold1": 1001}}, {D2: 1000}).keys("CUS-008", as_of) == set()
    assert Fixture().keys("CUS-008", as_of) == set()  # empty population


def test_cus008_exact_above_64_bits() -> None:
    wei = 10**24
    as_of = dt.date.fromisoformat(D1)
    fx = Fixture(
        wallets=[{"wallet_id": "e", "asset": "ETH", "tier": "cold", "purpose": "customer"}],
        wallet_balances=[{"as_of": D1, "wallet_id": "e", "asset": "ETH", "balance": wei - 1}],
        customer_balances=[{"as_of": D1, "customer_id": "C", "asset": "ETH", "balance": wei}],
    )
    assert fx.keys("CUS-008", as_of) == {("ETH", D1)}


def test_cus003_absolute_tolerance_per_asset_pass_fail_and_tie() -> None:
    # D1 is 3 over the ledger, D2 4 over: 0 bps allows nothing, BTC=3 allows exactly 3
    fx = custody({D1: {"cold1": 1003}, D2: {"cold1": 1004}}, {D1: 1000, D2: 1000})
    assert fx.keys("CUS-003") == {("BTC", D1), ("BTC", D2)}
    assert fx.keys("CUS-003", tolerance_amounts="BTC=3") == {("BTC", D2)}  # 3 = tolerance: pass
    assert fx.keys("CUS-003", tolerance_amounts="BTC=4") == set()
    assert fx.keys("CUS-003", tolerance_amounts="BTC=2") == {("BTC", D1), ("BTC", D2)}
    row = fx.run("CUS-003", tolerance_amounts="BTC=3").rows()[0]
    assert (row["difference"], row["tolerance_amount"]) == (4, 3)


def test_cus003_absolute_tolerance_is_per_asset_and_applies_both_ways() -> None:
    fx = custody({D1: {"cold1": 997}}, {D1: 1000})  # 3 short of the ledger
    assert fx.keys("CUS-003", tolerance_amounts="ETH=100") == {("BTC", D1)}  # not BTC's
    assert fx.keys("CUS-003", tolerance_amounts="ETH=100; BTC=3") == set()
    # an asset listed twice keeps the stricter amount
    assert fx.keys("CUS-003", tolerance_amounts="BTC=3;BTC=2") == {("BTC", D1)}


def test_cus003_the_larger_of_bps_and_absolute_tolerance_holds() -> None:
    fx = custody({D1: {"cold1": 1005}}, {D1: 1000})  # 5 over = 50 bps
    assert fx.keys("CUS-003", tolerance_bps=50, tolerance_amounts="BTC=1") == set()
    assert fx.keys("CUS-003", tolerance_bps=10, tolerance_amounts="BTC=5") == set()
    assert fx.keys("CUS-003", tolerance_bps=49, tolerance_amounts="BTC=4") == {("BTC", D1)}


def test_cus008_shortfall_within_the_asset_tolerance_passes_at_the_threshold() -> None:
    as_of = dt.date.fromisoformat(D1)
    fx = custody({D1: {"cold1": 990}}, {D1: 1000})  # 10 short
    assert fx.keys("CUS-008", as_of) == {("BTC", D1)}
    assert fx.keys("CUS-008", as_of, tolerance_amounts="BTC=10") == set()  # tie passes
    assert fx.keys("CUS-008", as_of, tolerance_amounts="BTC=9") == {("BTC", D1)}
    assert fx.keys("CUS-008", as_of, tolerance_amounts="ETH=1000") == {("BTC", D1)}
    row = fx.run("CUS-008", as_of, tolerance_amounts="BTC=9").rows()[0]
    assert (row["liabilities"], row["reserves"], row["tolerance_amount"]) == (1000, 990, 9)


def test_cus008_tolerance_above_64_bits_and_a_malformed_one_is_an_error() -> None:
    wei = 10**24
    as_of = dt.date.fromisoformat(D1)
    fx = Fixture(
        wallets=[{"wallet_id": "e", "asset": "ETH", "tier": "cold", "purpose": "customer"}],
        wallet_balances=[{"as_of": D1, "wallet_id": "e", "asset": "ETH", "balance": wei}],
        customer_balances=[{"as_of": D1, "customer_id": "C", "asset": "ETH", "balance": 2 * wei}],
    )
    assert fx.keys("CUS-008", as_of, tolerance_amounts=f"ETH={wei}") == set()
    assert fx.keys("CUS-008", as_of, tolerance_amounts=f"ETH={wei - 1}") == {("ETH", D1)}
    with pytest.raises(KansaError, match=r"BTC=1\.5"):
        fx.run("CUS-008", as_of, tolerance_amounts="BTC=1.5")
