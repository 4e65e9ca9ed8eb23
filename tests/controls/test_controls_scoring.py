"""Ground-truth scoring: set arithmetic on (control, key) pairs, keys compared as strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from kansa.controls.scoring import exception_keys, key_string, score


def truth(*pairs: tuple[str, dict[str, str]]) -> dict:
    return {"scenarios": [{"id": "s", "violations": [{"control": c, "key": k} for c, k in pairs]}]}


def test_counts_missed_and_extra_per_control() -> None:
    gt = truth(("A-001", {"id": "1"}), ("A-001", {"id": "2"}), ("B-001", {"x": "9"}))
    result = score(gt, {"A-001": [{"id": "1"}, {"id": "3"}, {"id": "1"}], "C-001": [{"z": "0"}]})
    a, b, c = result.per_control["A-001"], result.per_control["B-001"], result.per_control["C-001"]
    assert (a.tp, a.fp, a.fn, a.missed, a.extra) == (1, 1, 1, [{"id": "2"}], [{"id": "3"}])
    assert (b.tp, b.fn, b.recall) == (0, 1, 0.0)  # not run: all missed
    assert (c.fp, c.precision) == (1, 0.0)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (1, 2, 2)
    assert result.precision == 1 / 3 and result.recall == 1 / 3


def test_empty_sides_score_one() -> None:
    result = score({"scenarios": []}, {"A-001": []})
    assert (result.precision, result.recall) == (1.0, 1.0)


def test_key_values_are_written_as_the_ground_truth_writes_them() -> None:
    assert key_string(dt.date(2026, 11, 6)) == "2026-11-06"
    assert key_string(Decimal("123456789012345678901234567")) == "123456789012345678901234567"
    assert key_string(Decimal("1E+3")) == "1000"
    assert key_string(42) == "42" and key_string(3.0) == "3"
    table = pa.table(
        {"asset": ["ETH"], "as_of": [dt.date(2026, 11, 6)], "gap": [8], "other": [1.5]}
    )
    assert exception_keys(table, ["asset", "as_of", "gap"]) == [
        {"asset": "ETH", "as_of": "2026-11-06", "gap": "8"}
    ]
    gt = truth(("CUS-001", {"as_of": "2026-11-06", "asset": "ETH"}))
    assert score(gt, {"CUS-001": exception_keys(table, ["asset", "as_of"])}).recall == 1.0


keys = st.dictionaries(st.sampled_from(["a", "b"]), st.text(max_size=3), min_size=1)
pairs = st.lists(st.tuples(st.sampled_from(["X-001", "Y-002"]), keys), max_size=12)


@given(expected=pairs, extra=pairs)
def test_flagging_the_truth_plus_noise(expected: list, extra: list) -> None:
    gt = truth(*expected)
    found: dict[str, list[dict[str, str]]] = {}
    for c, k in expected + extra:
        found.setdefault(c, []).append(k)
    result = score(gt, found)
    assert result.overall.fn == 0 and result.recall == 1.0
    distinct_truth = {(c, frozenset(k.items())) for c, k in expected}
    distinct_found = {(c, frozenset(k.items())) for c, k in expected + extra}
    assert result.overall.tp == len(distinct_truth)
    assert result.overall.fp == len(distinct_found - distinct_truth)
    assert 0.0 <= result.precision <= 1.0
