"""Stratification, ageing, outliers, gaps and duplicates agree with plain Python on the same data."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pyarrow as pa
import pytest
from helpers_analytics import amounts_table, commit_dataset, workspace_at
from hypothesis import given
from hypothesis import strategies as st

from kansa.analytics.ageing import run_ageing
from kansa.analytics.duplicates import parse_duration, run_duplicates
from kansa.analytics.gaps import run_gaps
from kansa.analytics.outliers import run_outliers
from kansa.analytics.population import open_population
from kansa.analytics.stratify import equal_width_bounds, run_stratify
from kansa.errors import KansaError
from kansa.workspace import Workspace

T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
N = 1200


def _data() -> dict[str, list]:
    rng = random.Random(8)
    amounts = [int(10 ** rng.uniform(15, 24)) for _ in range(N)]
    times = [T0 + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 120)) for _ in range(N)]
    dest = [f"0x{rng.randint(0, 400):040x}" for _ in range(N)]
    names = [rng.choice(["Tanaka Hiroshi", "Suzuki Aiko", "Sato Ken"]) for _ in range(N)]
    # exact duplicate 3 minutes apart; near duplicate (amount +0.1%, a typo in the name)
    amounts[101], dest[101], times[101] = (
        amounts[100],
        dest[100],
        times[100] + dt.timedelta(minutes=3),
    )
    amounts[201], dest[201], times[201] = (
        amounts[200] * 1001 // 1000,
        dest[200],
        times[200] + dt.timedelta(minutes=4),
    )
    names[200], names[201], names[101] = "Watanabe Yuki", "Watanabe Yuky", names[100]
    # the same keys again, but two days later: not a duplicate within 10 minutes
    amounts[301], dest[301], times[301] = amounts[300], dest[300], times[300] + dt.timedelta(days=2)
    amounts[5] = 10**36  # an outlier, even on a log scale
    return {
        "amount": amounts,
        "requested_at": times,
        "destination_address": dest,
        "beneficiary": names,
        "chain": [("bitcoin", "ethereum")[i % 2] for i in range(N)],
    }


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    w = workspace_at(tmp_path_factory.mktemp("pop") / "ws")
    d = _data()
    commit_dataset(
        w,
        "withdrawals",
        amounts_table(
            d["amount"],
            requested_at=pa.array(d["requested_at"], pa.timestamp("us", tz="UTC")),
            destination_address=d["destination_address"],
            beneficiary=d["beneficiary"],
            chain=d["chain"],
        ),
    )
    seqs = {
        "h1": [s for s in range(1, 501) if s not in (17, 18, 19, 250)] + [42],
        "h2": list(range(1000, 1300)),
    }
    hosts = [h for h, ss in seqs.items() for _ in ss]
    commit_dataset(
        w,
        "auth_events",
        pa.table(
            {"host": hosts, "seq": pa.array([s for ss in seqs.values() for s in ss], pa.int64())}
        ),
    )
    return w


def test_equal_width_strata_totals_are_exact_128_bit_sums(ws: Workspace) -> None:
    amounts = _data()["amount"]
    with open_population(ws, "withdrawals") as pop:
        a = run_stratify(pop, "amount", bands=7)
    lows = equal_width_bounds(min(amounts), max(amounts), 7)
    want = [
        [v for v in amounts if lo <= v < (lows[i + 1] if i + 1 < len(lows) else 10**40)]
        for i, lo in enumerate(lows)
    ]
    rows = a.table("strata").rows
    assert [r[3] for r in rows] == [len(w) for w in want]
    assert [r[5] for r in rows] == [sum(w) for w in want]  # exact, though > 2^64
    assert a.summary["total_value"] == sum(amounts)


def test_quantile_and_bounds_schemes(ws: Workspace) -> None:
    amounts = _data()["amount"]
    with open_population(ws, "withdrawals") as pop:
        q = run_stratify(pop, "amount", bands=4, scheme="quantile")
        b = run_stratify(
            pop,
            "amount",
            scheme="bounds",
            bounds=[__import__("decimal").Decimal(10**18), __import__("decimal").Decimal(10**21)],
        )
    assert all(abs(r[3] - N / 4) <= 1 for r in q.table("strata").rows)
    assert [r[3] for r in b.table("strata").rows] == [
        sum(1 for v in amounts if v < 10**18),
        sum(1 for v in amounts if 10**18 <= v < 10**21),
        sum(1 for v in amounts if v >= 10**21),
    ]


def test_ageing_buckets(ws: Workspace) -> None:
    as_of = dt.date(2027, 1, 15)
    ages = [(as_of - t.date()).days for t in _data()["requested_at"]]
    with open_population(ws, "withdrawals") as pop:
        a = run_ageing(pop, "requested_at", as_of, [30, 60, 90], amount="amount")
    counts = {r[0]: r[1] for r in a.table("buckets").rows}
    assert counts == {
        "future": sum(1 for x in ages if x < 0),
        "0-30": sum(1 for x in ages if 0 <= x <= 30),
        "31-60": sum(1 for x in ages if 31 <= x <= 60),
        "61-90": sum(1 for x in ages if 61 <= x <= 90),
        ">90": sum(1 for x in ages if x > 90),
    }
    assert a.records is not None and a.records.total == counts[">90"]


def test_ageing_rejects_unordered_buckets(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop, pytest.raises(KansaError):
        run_ageing(pop, "requested_at", dt.date(2027, 1, 1), [60, 30])


def test_outliers_follow_iglewicz_hoaglin(ws: Workspace) -> None:
    import math

    amounts = _data()["amount"]
    logs = [math.log10(v) for v in amounts]
    med = statistics.median(logs)
    mad = statistics.median(abs(x - med) for x in logs)
    want = {i for i, x in enumerate(logs) if abs(0.6745 * (x - med) / mad) > 3.5}
    with open_population(ws, "withdrawals") as pop:
        a = run_outliers(pop, "amount", log=True)
        by = run_outliers(pop, "amount", by="chain")
    assert a.records is not None and {r[0] for r in a.records.rows} == want
    assert 5 in want
    assert by.table("groups").rows[0][0] == "bitcoin" and len(by.table("groups").rows) == 2


def test_gaps_and_duplicate_sequence_numbers(ws: Workspace) -> None:
    with open_population(ws, "auth_events") as pop:
        a = run_gaps(pop, "seq", by="host")
    assert a.records is not None
    assert [r for r in a.records.rows] == [["h1", 17, 19, 3], ["h1", 250, 250, 1]]
    assert a.table("duplicates").rows == [["h1", 42, 2]]
    assert a.summary == {"partitions": 2, "gaps": 2, "missing_numbers": 4, "duplicate_numbers": 1}


def test_exact_duplicates_with_and_without_a_window(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop:
        anytime = run_duplicates(pop, ["destination_address", "amount"])
        window = run_duplicates(
            pop, ["destination_address", "amount"], within=parse_duration("10m")
        )
    assert anytime.records is not None and window.records is not None
    assert {r[2] for r in anytime.records.rows} == {100, 101, 300, 301}
    assert {r[2] for r in window.records.rows} == {100, 101}


def test_fuzzy_duplicates_find_near_amounts_and_similar_names(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop:
        a = run_duplicates(
            pop, ["beneficiary", "amount"], within=600, fuzzy=True, tolerance=0.002, similarity=0.9
        )
        with pytest.raises(KansaError, match="time window"):
            run_duplicates(pop, ["amount"], fuzzy=True)
    assert a.records is not None
    pairs = {(r[0], r[1]): r[3] for r in a.records.rows}
    assert pairs[(100, 101)] is True and pairs[(200, 201)] is False


@given(n=st.integers(0, 10**6), unit=st.sampled_from(["s", "m", "h", "d", ""]))
def test_parse_duration(n: int, unit: str) -> None:
    assert parse_duration(f"{n}{unit}") == n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 1}[unit]
