"""Reliability factors equal the published table; MUS evaluation matches worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.analytics.sampling.evaluate import SampleItem, evaluate_mus
from kansa.analytics.sampling.factors import expansion_factor, table_factor

# "PPS Confidence Factors for Sample Evaluation", source AICPA Audit Guide *Audit Sampling*
# (reproduced as Exhibit FA.2 in a textbook appendix): rows = number of overstatements 0..20,
# columns = risk of incorrect acceptance. The 37% column of row 2 prints 3.35 there but 3.25 in
# Whittington & Pany (2006) Table 1; the Poisson value is 3.2531 and we follow the latter.
RISKS = [0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.37, 0.50]
PUBLISHED = [
    [3.00, 2.31, 1.90, 1.61, 1.39, 1.21, 1.05, 1.00, 0.70],
    [4.75, 3.89, 3.38, 3.00, 2.70, 2.44, 2.22, 2.14, 1.68],
    [6.30, 5.33, 4.73, 4.28, 3.93, 3.62, 3.35, 3.25, 2.68],
    [7.76, 6.69, 6.02, 5.52, 5.11, 4.77, 4.46, 4.35, 3.68],
    [9.16, 8.00, 7.27, 6.73, 6.28, 5.90, 5.55, 5.43, 4.68],
    [10.52, 9.28, 8.50, 7.91, 7.43, 7.01, 6.64, 6.50, 5.68],
    [11.85, 10.54, 9.71, 9.08, 8.56, 8.12, 7.72, 7.57, 6.67],
    [13.15, 11.78, 10.90, 10.24, 9.69, 9.21, 8.79, 8.63, 7.67],
    [14.44, 13.00, 12.08, 11.38, 10.81, 10.31, 9.85, 9.68, 8.67],
    [15.71, 14.21, 13.25, 12.52, 11.92, 11.39, 10.92, 10.74, 9.67],
    [16.97, 15.41, 14.42, 13.66, 13.02, 12.47, 11.98, 11.79, 10.67],
    [18.21, 16.60, 15.57, 14.78, 14.13, 13.55, 13.04, 12.84, 11.67],
    [19.45, 17.79, 16.72, 15.90, 15.22, 14.63, 14.09, 13.89, 12.67],
    [20.67, 18.96, 17.86, 17.02, 16.32, 15.70, 15.14, 14.93, 13.67],
    [21.89, 20.13, 19.00, 18.13, 17.40, 16.77, 16.20, 15.98, 14.67],
    [23.10, 21.30, 20.13, 19.24, 18.49, 17.84, 17.25, 17.02, 15.67],
    [24.31, 22.46, 21.26, 20.34, 19.58, 18.90, 18.29, 18.06, 16.67],
    [25.50, 23.61, 22.39, 21.44, 20.66, 19.97, 19.34, 19.10, 17.67],
    [26.70, 24.76, 23.51, 22.54, 21.74, 21.03, 20.38, 20.14, 18.67],
    [27.88, 25.91, 24.63, 23.64, 22.81, 22.09, 21.43, 21.18, 19.67],
    [29.07, 27.05, 25.74, 24.73, 23.89, 23.15, 22.47, 22.22, 20.67],
]


def test_reliability_factors_equal_the_published_table() -> None:
    wrong = [
        (k, r, printed, table_factor(k, r))
        for k, row in enumerate(PUBLISHED)
        for r, printed in zip(RISKS, row, strict=True)
        if table_factor(k, r) != Decimal(str(printed)).quantize(Decimal("0.01"))
    ]
    assert wrong == []


def test_expansion_factors_are_the_published_constants() -> None:
    # AICPA Audit Sampling guide (2001) ch. 6; Whittington & Pany (2006) PPS Table 2.
    published = {
        0.01: "1.9",
        0.05: "1.6",
        0.10: "1.5",
        0.15: "1.4",
        0.20: "1.3",
        0.25: "1.25",
        0.30: "1.2",
        0.37: "1.15",
        0.50: "1.0",
    }
    assert {r: expansion_factor(r) for r in published} == {
        r: Decimal(v) for r, v in published.items()
    }
    assert expansion_factor(1 - 0.95) == Decimal("1.6")  # 0.050000000000000044 is 5%


def _items(*pairs: tuple[int, int], clean: int = 0) -> list[SampleItem]:
    out = [SampleItem(str(i), Decimal(b), Decimal(a)) for i, (b, a) in enumerate(pairs, start=1)]
    return out + [SampleItem(f"c{i}", Decimal(100), Decimal(100)) for i in range(clean)]


def test_worked_example_harder_company() -> None:
    """Boynton, Johnson & Kell, *Modern Auditing*: Harder Company, PPS on receivables.

    Book value $720,000, RF 3.0 at 5% risk, n = 90 (interval $8,000); increments 1.75, 1.55,
    1.46, 1.40; misstatements (book, audit) 1,500/1,000, 2,400/1,200, 8,200/7,500, 6,000/5,400,
    9,000/8,000; tolerable misstatement $30,000.
    """
    items = _items((1500, 1000), (2400, 1200), (8200, 7500), (6000, 5400), (9000, 8000), clean=85)
    res = evaluate_mus(items, Decimal(8000), 0.95, Decimal(30000))
    o = res.over
    assert o.basic_precision == Decimal(24000)  # 3.0 x 8,000
    # 2,400: 50% x 8,000 = 4,000; 1,500: 33.3% -> 2,666.67; 6,000: 10% -> 800;
    # 8,200 and 9,000 >= interval: actual 700 + 1,000
    assert o.projected.quantize(Decimal("0.01")) == Decimal("9166.67")
    # 4,000 x 0.75 + 2,666.67 x 0.55 + 800 x 0.46
    assert o.incremental_allowance.quantize(Decimal("0.01")) == Decimal("4834.67")
    assert o.upper_limit.quantize(Decimal("0.01")) == Decimal("38001.33")
    assert res.supported is False  # exceeds $30,000


def test_worked_example_whittington_pany_with_the_books_rounded_factors() -> None:
    """Whittington & Pany, ch. 16 PPS problem at 10% risk, worked in course notes (Univ. of
    Florida ACG 5637, L12 part 13): BV $2,500,000, n = 59, interval $42,373; misstatements
    71,330/60,631 (top stratum), 18,996/17,096, 30,081/21,057, 3,555/1,422; factors as the
    solution uses them (2.31 for basic precision, then steps 1.6, 1.4, 1.4); published upper
    misstatement limit $172,988."""
    items = _items((71330, 60631), (18996, 17096), (30081, 21057), (3555, 1422), clean=55)
    factors = [Decimal("2.31"), Decimal("3.91"), Decimal("5.31"), Decimal("6.71")]
    res = evaluate_mus(items, Decimal(42373), 0.90, None, factors)
    assert res.over.upper_limit.quantize(Decimal(1)) == Decimal(172988)


def test_worked_example_messier_taintings() -> None:
    """Messier, Glover & Prawitt, *Auditing & Assurance Services*, problem 9-21: interval
    $1,657; 400/320 taints 20%, 500/0 taints 100%, 3,000/2,500 exceeds the interval (no
    tainting, actual $500)."""
    res = evaluate_mus(
        _items((400, 320), (500, 0), (3000, 2500)), Decimal(1657), 0.95, Decimal(15000)
    )
    taints = {m.ref: m.tainting for m in res.over.items}
    assert taints == {"1": Decimal("0.2"), "2": Decimal(1), "3": None}
    assert res.over.projected == Decimal("331.4") + Decimal(1657) + Decimal(500)
    assert res.over.basic_precision == Decimal("4971.00")
    assert res.over.incremental_allowance == Decimal(1657) * Decimal("0.75") + Decimal(
        "331.4"
    ) * Decimal("0.55")
    assert res.supported is True


@settings(max_examples=40, deadline=None)
@given(
    k=st.integers(0, 12),
    interval=st.integers(1_000, 10**24),
    risk=st.sampled_from([0.05, 0.10, 0.25]),
)
def test_all_full_taintings_give_the_poisson_limit(k: int, interval: int, risk: float) -> None:
    """With k 100% misstatements below the interval, PM + BP + IA telescopes to RF(k) x J."""
    j = Decimal(interval)
    items = [SampleItem(str(i), j / 2, Decimal(0)) for i in range(k)]
    res = evaluate_mus(items, j, 1 - risk, None)
    assert res.over.upper_limit == table_factor(k, risk) * j


def test_understatements_are_evaluated_apart() -> None:
    res = evaluate_mus(_items((100, 150), (200, 100)), Decimal(1000), 0.95, Decimal(10_000))
    assert [m.ref for m in res.under.items] == ["1"] and [m.ref for m in res.over.items] == ["2"]
    assert res.under.projected == Decimal("0.5") * 1000


def test_zero_book_values_are_refused() -> None:
    with pytest.raises(Exception, match="book value"):
        evaluate_mus(_items((0, 10)), Decimal(1000), 0.95, None)
