"""The rating rule (docs/findings.md): severity x size of the exceptions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kansa.findings import RATINGS, rate, size_of

SEVERITY_ORDER = ["low", "medium", "high", "critical"]


@pytest.mark.parametrize(
    ("severity", "exceptions", "population", "expected"),
    [
        ("critical", 1, 1000, "significant_deficiency"),
        ("critical", 20, 1000, "material_weakness"),
        ("high", 1, 1000, "deficiency"),
        ("high", 15, 1000, "significant_deficiency"),
        ("high", 100, 1_000_000, "material_weakness"),
        ("high", 6, 100, "material_weakness"),
        ("medium", 50, 10_000, "deficiency"),
        ("medium", 500, 10_000, "significant_deficiency"),
        ("low", 10_000, 10_000, "deficiency"),
        ("high", 5, None, "deficiency"),
        ("high", 50, None, "significant_deficiency"),
    ],
)
def test_rule_table(severity: str, exceptions: int, population: int | None, expected: str) -> None:
    assert rate(severity, exceptions, population).rating == expected


def test_boundaries() -> None:
    assert size_of(9, 10_000) == "isolated"
    assert size_of(10, 10_000) == "recurring"
    assert size_of(9, 900) == "recurring"  # exactly 1%
    assert size_of(99, 1_000_000) == "recurring"
    assert size_of(100, 1_000_000) == "pervasive"
    assert size_of(5, 100) == "pervasive"  # exactly 5%


@given(
    st.sampled_from(SEVERITY_ORDER),
    st.integers(1, 10_000),
    st.integers(1, 10_000),
    st.integers(0, 10_000),
)
def test_rating_never_falls_when_severity_or_exceptions_grow(
    severity: str, exceptions: int, population: int, more: int
) -> None:
    base = RATINGS.index(rate(severity, exceptions, population).rating)
    bigger = RATINGS.index(rate(severity, exceptions + more, population).rating)
    assert bigger >= base
    higher = SEVERITY_ORDER[min(SEVERITY_ORDER.index(severity) + 1, 3)]
    assert RATINGS.index(rate(higher, exceptions, population).rating) >= base


def test_no_exceptions_is_not_a_finding() -> None:
    with pytest.raises(ValueError):
        rate("high", 0, 10)
