"""Benford results equal an independent computation (collections + numpy) on the same data."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from helpers_analytics import amounts_table, commit_dataset, workspace_at

from kansa.analytics.benford import TESTS, run_benford
from kansa.analytics.population import open_population
from kansa.errors import KansaError
from kansa.workspace import Workspace


def _amounts(seed: int, n: int) -> list[int]:
    """Benford-like wei amounts from 10 to 10^30 (far beyond 64 bits), plus a planted spike."""
    rng = random.Random(seed)
    out = [int(10 ** rng.uniform(1, 30)) + rng.randrange(1000) for _ in range(n)]
    return out + [473 * 10**24 + i for i in range(60)] + [0, 5, 7]  # spike at 47; three too small


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    w = workspace_at(tmp_path_factory.mktemp("benford") / "ws")
    amounts = _amounts(11, 4000)
    commit_dataset(
        w,
        "withdrawals",
        amounts_table(amounts, withdrawal_id=[f"W{i}" for i in range(len(amounts))]),
    )
    commit_dataset(w, "narrow", amounts_table([1000 + i for i in range(3000)]))
    commit_dataset(w, "small", amounts_table(_amounts(5, 1040)))
    commit_dataset(
        w, "floats", pa.table({"x": [10 ** random.Random(i).uniform(1, 8) for i in range(2000)]})
    )
    return w


# The digits each test reads, taken from the decimal text: the independent computation.
DIGITS_OF: dict[str, Callable[[str], str]] = {
    "first": lambda s: s[0],
    "second": lambda s: s[1],
    "first-two": lambda s: s[:2],
    "last-two": lambda s: s[-2:],
}


def _independent(test: str, values: list[int]) -> dict[str, float | dict[str, int]]:
    keep = [str(v) for v in values if v >= (100 if test == "last-two" else 10)]
    pick = DIGITS_OF[test]
    counts = Counter(pick(s) for s in keep)
    if test == "first":
        expected = {str(d): math.log10(1 + 1 / d) for d in range(1, 10)}
    elif test == "second":
        expected = {
            str(d): sum(math.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)
        }
    elif test == "first-two":
        expected = {str(d): math.log10(1 + 1 / d) for d in range(10, 100)}
    else:
        expected = {f"{d:02d}": 0.01 for d in range(100)}
    n = len(keep)
    ep = np.array(list(expected.values()))
    ac = np.array([counts.get(d, 0) for d in expected])
    ap = ac / n
    diff = np.abs(ap - ep)
    corr = np.where(1 / (2 * n) < diff, diff - 1 / (2 * n), diff)
    return {
        "n": n,
        "counts": {d: counts.get(d, 0) for d in expected},
        "chi": float(((ac - ep * n) ** 2 / (ep * n)).sum()),
        "mad": float(diff.mean()),
        "z": dict(zip(expected, corr / np.sqrt(ep * (1 - ep) / n), strict=True)),
    }


@pytest.mark.parametrize("test", list(TESTS))
def test_benford_equals_independent_computation(ws: Workspace, test: str) -> None:
    want = _independent(test, _amounts(11, 4000))
    with open_population(ws, "withdrawals") as pop:
        a = run_benford(pop, "amount", test)
    digits = a.table("digits")
    got_counts = {r[0]: r[1] for r in digits.rows}
    assert a.summary["n"] == want["n"]
    assert got_counts == want["counts"]
    assert a.summary["chi_square"] == pytest.approx(want["chi"], rel=1e-12)
    assert a.summary["mad"] == pytest.approx(want["mad"], rel=1e-12)
    z = want["z"]
    assert isinstance(z, dict)
    assert {r[0]: r[6] for r in digits.rows} == pytest.approx(z, rel=1e-12)


def test_planted_spike_is_the_most_overrepresented_and_its_records_are_listed(
    ws: Workspace,
) -> None:
    with open_population(ws, "withdrawals") as pop:
        a = run_benford(pop, "amount", "first-two", top=1)
    assert a.summary["most_overrepresented"][0]["digit"] == "47"
    assert "47" in a.summary["over_represented_5pct"]
    assert a.records is not None and a.records.total is not None
    expected_rows = sum(1 for v in _amounts(11, 4000) if v >= 10 and str(v)[:2] == "47")
    assert a.records.total == expected_rows == len(a.records.rows)
    assert {r[1] for r in a.records.rows} == {"47"}
    assert "47" in a.conclusion["en"] and "47" in a.conclusion["ja"]


def test_exclusions_are_counted(ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop:
        a = run_benford(pop, "amount", "first")
    assert (a.summary["excluded_zero_or_negative"], a.summary["excluded_below_minimum"]) == (1, 2)


def test_too_few_records_are_refused_with_the_reason(ws: Workspace) -> None:
    with (
        open_population(ws, "withdrawals") as pop,
        pytest.raises(KansaError, match="Too few records"),
    ):
        run_benford(pop, "amount", "first", min_records=100_000)


def test_first_two_needs_expected_counts_of_five(ws: Workspace) -> None:
    # 1,100 values: enough for the first-digit test; the first-two test needs 1,146 (the
    # expected share of 99 is 0.00436, and every expected count must reach 5)
    with open_population(ws, "small") as pop:
        assert run_benford(pop, "amount", "first").summary["n"] == 1100
        with pytest.raises(KansaError, match="1146 needed"):
            run_benford(pop, "amount", "first-two")


def test_narrow_range_is_refused(ws: Workspace) -> None:
    with open_population(ws, "narrow") as pop, pytest.raises(KansaError, match="order"):
        run_benford(pop, "amount", "first")


def test_floating_point_columns_get_first_digits_but_no_last_two(ws: Workspace) -> None:
    values = [10 ** random.Random(i).uniform(1, 8) for i in range(2000)]
    with open_population(ws, "floats") as pop:
        a = run_benford(pop, "x", "first")
        assert {r[0]: r[1] for r in a.table("digits").rows} == {
            str(d): sum(1 for v in values if f"{v:.14e}"[0] == str(d)) for d in range(1, 10)
        }
        with pytest.raises(KansaError, match="exact values"):
            run_benford(pop, "x", "last-two")


def test_unknown_column_names_the_columns(tmp_path: Path, ws: Workspace) -> None:
    with open_population(ws, "withdrawals") as pop, pytest.raises(KansaError) as err:
        run_benford(pop, "amnt", "first")
    assert err.value.hint is not None and "amount" in err.value.hint


def _edge_values() -> list[int]:
    """Values where a double's digits go wrong: next to every power of ten and digit boundary."""
    out = []
    for k in range(2, 38):
        for lead in (1, 2, 5, 9, 10):
            base = lead * 10 ** (k - 1)
            out += [base - 1, base, base + 1]
    out += [999_999_999_999_999_999, 10**38 - 1, 123456789012345678901234567890123456]
    return [v for v in out if 10 <= v < 10**38]


@pytest.mark.parametrize("test", list(TESTS))
def test_digits_are_exact_next_to_boundaries_beyond_64_bits(tmp_path: Path, test: str) -> None:
    from kansa.analytics.digits import digits_relation

    values = _edge_values()
    w = workspace_at(tmp_path / "ws")
    commit_dataset(w, "edges", amounts_table(values))
    pick = DIGITS_OF[test]
    with open_population(w, "edges") as pop:
        rel = digits_relation(pop, "amount", test, TESTS[test].min_digits)
        got = dict(pop.rows(f"SELECT _row, __digit FROM ({rel}) WHERE __class = 0"))
    want = {
        i: int(pick(str(v)))
        for i, v in enumerate(values)
        if v >= (100 if test == "last-two" else 10)
    }
    assert got == want
