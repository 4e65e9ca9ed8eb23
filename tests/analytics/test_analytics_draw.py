"""Sample selection is reproducible from the seed by anyone, and MUS selects by value."""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import Counter
from decimal import Decimal

import pytest
from helpers_analytics import amounts_table, commit_dataset, workspace_at
from hypothesis import given
from hypothesis import strategies as st

from kansa.analytics.population import open_population
from kansa.analytics.sampling.draw import (
    DrawSpec,
    largest_remainder,
    mus_points,
    run_draw,
    uniform_int,
)
from kansa.errors import KansaError
from kansa.workspace import Workspace

N = 800


def _amounts() -> list[int]:
    rng = random.Random(5)
    values = [int(10 ** rng.uniform(15, 21)) for _ in range(N)]
    values[10], values[20], values[30] = 0, 10**24, 3 * 10**23  # zero; two larger than any interval
    return values


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    w = workspace_at(tmp_path_factory.mktemp("draw") / "ws")
    assets = [("BTC", "ETH", "XRP")[i % 3] if i % 7 else "ETH" for i in range(N)]
    commit_dataset(
        w,
        "withdrawals",
        amounts_table(_amounts(), segment=assets, withdrawal_id=[f"W{i:04d}" for i in range(N)]),
    )
    return w


def _rows(ws: Workspace, spec: DrawSpec) -> list[int]:
    with open_population(ws, "withdrawals") as pop:
        a = run_draw(pop, spec)
    assert a.records is not None
    return [r[1] for r in a.records.rows]


def test_random_selection_is_the_smallest_md5_of_seed_and_row(ws: Workspace) -> None:
    independent = sorted(
        sorted(range(N), key=lambda r: hashlib.md5(f"42:{r}".encode()).hexdigest())[:25]
    )
    assert _rows(ws, DrawSpec("random", 25, 42)) == independent
    assert _rows(ws, DrawSpec("random", 25, 43)) != independent


def test_systematic_takes_every_kth_from_a_seeded_start(ws: Workspace) -> None:
    k = N // 40
    start = uniform_int(9, "systematic-start", 0, 1, k)
    assert _rows(ws, DrawSpec("systematic", 40, 9)) == [start - 1 + i * k for i in range(40)]


def test_stratified_allocates_proportionally_and_draws_within_strata(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop:
        a = run_draw(pop, DrawSpec("stratified", 30, 3, strata="segment"))
    alloc = {x["stratum"]: x["sample"] for x in a.summary["allocation"]}
    sizes = {x["stratum"]: x["records"] for x in a.summary["allocation"]}
    assert sum(alloc.values()) == 30 and alloc == largest_remainder(sizes, 30)
    assert a.records is not None
    col = a.records.columns.index("stratum")
    assert Counter(r[col] for r in a.records.rows) == {k: v for k, v in alloc.items() if v}


@pytest.mark.parametrize("selection", ["fixed", "cell"])
def test_mus_selects_the_records_holding_the_selected_units(ws: Workspace, selection: str) -> None:
    amounts = _amounts()
    value = sum(a for a in amounts if a > 0)
    interval = value // 30
    points = mus_points(77, value, interval, 30, selection)
    cum, chosen = 0, []
    for row, a in enumerate(amounts):
        if a <= 0:
            continue
        if any(cum < p <= cum + a for p in points):
            chosen.append(row)
        cum += a
    with open_population(ws, "withdrawals") as pop:
        res = run_draw(pop, DrawSpec("mus", 30, 77, amount="amount", selection=selection))
    assert res.records is not None
    assert [r[1] for r in res.records.rows] == chosen
    assert res.summary["sampling_interval"] == interval and res.summary["population_value"] == value
    assert {20, 30} <= set(chosen)  # items above the interval are always selected
    assert 10 not in chosen  # zero book value cannot be selected
    assert res.summary["excluded_zero_negative_or_empty"] == 1
    top = res.records.columns.index("top_stratum")
    assert {r[1] for r in res.records.rows if r[top]} == {20, 30}


def test_mus_fixed_interval_units_are_evenly_spaced_from_the_start() -> None:
    pts = mus_points(1, 10**30, 10**28, 100, "fixed")
    assert 1 <= pts[0] <= 10**28 and all(b - a == 10**28 for a, b in itertools.pairwise(pts))
    assert len(pts) in (100, 101)


def test_same_seed_same_sample(ws: Workspace) -> None:
    spec = DrawSpec("mus", 20, 5, amount="amount", selection="cell")
    assert _rows(ws, spec) == _rows(ws, spec)


def test_sample_larger_than_population_is_refused(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop, pytest.raises(KansaError):
        run_draw(pop, DrawSpec("random", N + 1, 1))


@given(
    sizes=st.dictionaries(
        st.text(min_size=1, max_size=3), st.integers(0, 500), min_size=1, max_size=8
    ),
    n=st.integers(0, 600),
)
def test_largest_remainder_fills_exactly_within_strata(sizes: dict[str, int], n: int) -> None:
    if sum(sizes.values()) == 0:
        return
    alloc = largest_remainder(sizes, n)
    assert sum(alloc.values()) == min(n, sum(sizes.values()))
    assert all(0 <= alloc[k] <= sizes[k] for k in sizes)


@given(seed=st.integers(0, 2**31), lo=st.integers(-(10**30), 10**30), width=st.integers(0, 10**38))
def test_uniform_int_stays_in_range(seed: int, lo: int, width: int) -> None:
    assert lo <= uniform_int(seed, "x", 0, lo, lo + width) <= lo + width


def test_decimal_book_values_keep_full_precision(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop:
        a = run_draw(pop, DrawSpec("mus", 10, 1, amount="amount"))
    assert a.records is not None
    i = a.records.columns.index("amount")
    assert Decimal(10**24) in {r[i] for r in a.records.rows}
