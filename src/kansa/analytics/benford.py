"""Benford's law digit tests (first, second, first-two, last-two digits), run inside DuckDB.

Formulas (docs/analytics.md gives each with its source):

* Expected proportions (Benford 1938; Hill 1995; Nigrini 2012, *Benford's Law: Applications
  for Forensic Accounting, Auditing, and Fraud Detection*, Wiley): first digit d:
  ``log10(1 + 1/d)``; second digit d: ``sum_{k=1..9} log10(1 + 1/(10k + d))``; first two dd:
  ``log10(1 + 1/dd)``; last two: uniform, 1/100 (Nigrini's last-two digits test).
* Z statistic per digit with continuity correction (Nigrini & Mittermaier 1997, *Auditing: A
  Journal of Practice & Theory* 16(2); Nigrini 2012): ``z = (|AP - EP| - 1/(2N)) /
  sqrt(EP(1 - EP)/N)``, the 1/(2N) term only when it is smaller than ``|AP - EP|``.
* Chi-square: ``sum (AC - EC)^2 / EC`` with k - 1 degrees of freedom (Pearson), every expected
  count at least 5 (Cochran 1954).
* MAD: ``mean |AP - EP|`` over the k digits, read against Nigrini's (2012) conformity ranges
  (first 0.006/0.012/0.015, second 0.008/0.010/0.012, first-two 0.0012/0.0018/0.0022; none
  are published for the last-two digits).

Digits are exact for DECIMAL(38,0) amounts (wei, wider than 64 bits): see ``digits.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from kansa.analytics.digits import digits_relation
from kansa.analytics.population import Population, is_numeric
from kansa.analytics.result import Analysis, Chart, Table
from kansa.errors import KansaError
from kansa.i18n import tr

Z_CRITICAL_5PCT = 1.96  # two-sided 5% (Nigrini 2012 uses 1.96)
# Cochran (1954): the chi-square approximation needs every expected count >= 5.
MIN_EXPECTED_COUNT = 5.0


@dataclass(frozen=True)
class DigitTest:
    name: str
    title_en: str
    title_ja: str
    expected: dict[str, float]
    # value must have at least this many digits (Nigrini excludes numbers below 10)
    min_digits: int
    # upper bounds of close / acceptable / marginally acceptable conformity (Nigrini 2012, Table 7.1)
    mad_ranges: tuple[float, float, float] | None

    def key(self, digit: int) -> str:
        """The digit's label: ``'07'`` for the last-two test, ``'7'`` otherwise."""
        return f"{digit:02d}" if self.name == "last-two" else str(digit)


def _first() -> dict[str, float]:
    return {str(d): math.log10(1 + 1 / d) for d in range(1, 10)}


def _second() -> dict[str, float]:
    return {str(d): sum(math.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)}


def _first_two() -> dict[str, float]:
    return {str(dd): math.log10(1 + 1 / dd) for dd in range(10, 100)}


def _last_two() -> dict[str, float]:
    return {f"{dd:02d}": 0.01 for dd in range(100)}


TESTS: dict[str, DigitTest] = {
    "first": DigitTest(
        "first", "First-digit test", "第1桁検定", _first(), 2, (0.006, 0.012, 0.015)
    ),
    "second": DigitTest(
        "second", "Second-digit test", "第2桁検定", _second(), 2, (0.008, 0.010, 0.012)
    ),
    "first-two": DigitTest(
        "first-two",
        "First-two digits test",
        "先頭2桁検定",
        _first_two(),
        2,
        (0.0012, 0.0018, 0.0022),
    ),
    # Nigrini publishes no MAD ranges for the last-two digits test; at least 3 digits so that the
    # last two are not also the first two (which follow Benford, not the uniform distribution).
    "last-two": DigitTest("last-two", "Last-two digits test", "末尾2桁検定", _last_two(), 3, None),
}

CONFORMITY = {
    "close": ("close conformity", "よく適合"),
    "acceptable": ("acceptable conformity", "許容できる適合"),
    "marginal": ("marginally acceptable conformity", "ほぼ許容できる適合"),
    "nonconformity": ("nonconformity", "不適合"),
}


@dataclass(frozen=True)
class Counts:
    by_digit: dict[str, int]
    by_magnitude: dict[int, int]
    total: int
    null: int
    non_positive: int
    too_small: int

    @property
    def n(self) -> int:
        return sum(self.by_digit.values())


def count_digits(pop: Population, column: str, test: DigitTest) -> Counts:
    """One pass over the population: counts per (digit, magnitude) and per exclusion reason."""
    rel = digits_relation(pop, column, test.name, test.min_digits)
    sql = f"SELECT __class, __digit, __magnitude, count(*) FROM ({rel}) GROUP BY ALL"
    by_digit: dict[str, int] = dict.fromkeys(test.expected, 0)
    by_mag: dict[int, int] = {}
    special = {-3: 0, -2: 0, -1: 0}
    for cls, d, m, c in pop.rows(sql):
        if cls != 0:
            special[int(cls)] += int(c)
            continue
        key = test.key(int(d))
        by_digit[key] = by_digit.get(key, 0) + int(c)
        by_mag[int(m)] = by_mag.get(int(m), 0) + int(c)
    total = sum(by_digit.values()) + sum(special.values())
    return Counts(by_digit, by_mag, total, special[-3], special[-2], special[-1])


def magnitude_span(by_magnitude: dict[int, int], lower: float = 0.01, upper: float = 0.99) -> int:
    """Orders of magnitude between the 1st and 99th percentile values (by digit count)."""
    n = sum(by_magnitude.values())
    if n == 0:
        return 0
    seen, lo, hi = 0, None, None
    for mag in sorted(by_magnitude):
        seen += by_magnitude[mag]
        if lo is None and seen >= lower * n:
            lo = mag
        if hi is None and seen >= upper * n:
            hi = mag
    assert lo is not None and hi is not None
    return hi - lo


def z_statistic(ap: float, ep: float, n: int) -> float:
    """Nigrini (2012): z with the 1/(2N) continuity correction when it is below |AP - EP|."""
    diff = abs(ap - ep)
    correction = 1 / (2 * n)
    if correction < diff:
        diff -= correction
    return diff / math.sqrt(ep * (1 - ep) / n)


def conformity(mad: float, ranges: tuple[float, float, float] | None) -> str | None:
    if ranges is None:
        return None
    close, acceptable, marginal = ranges
    if mad <= close:
        return "close"
    if mad <= acceptable:
        return "acceptable"
    if mad <= marginal:
        return "marginal"
    return "nonconformity"


@dataclass(frozen=True)
class DigitRow:
    digit: str
    actual: int
    expected_count: float
    ap: float
    ep: float
    z: float

    @property
    def excess(self) -> float:
        return self.actual - self.expected_count


@dataclass(frozen=True)
class BenfordStats:
    n: int
    rows: list[DigitRow]
    chi_square: float
    df: int
    p_value: float
    chi_critical: float
    mad: float
    conformity: str | None


def digit_statistics(test: DigitTest, by_digit: dict[str, int]) -> BenfordStats:
    """Expected vs actual, z per digit, chi-square and MAD from the digit counts."""
    n = sum(by_digit.get(d, 0) for d in test.expected)
    rows = []
    for d, ep in test.expected.items():
        ac = by_digit.get(d, 0)
        ap = ac / n
        rows.append(DigitRow(d, ac, ep * n, ap, ep, z_statistic(ap, ep, n)))
    chi = sum((r.actual - r.expected_count) ** 2 / r.expected_count for r in rows)
    df = len(rows) - 1
    mad = sum(abs(r.ap - r.ep) for r in rows) / len(rows)
    return BenfordStats(
        n=n,
        rows=rows,
        chi_square=chi,
        df=df,
        p_value=float(stats.chi2.sf(chi, df)),
        chi_critical=float(stats.chi2.ppf(0.95, df)),
        mad=mad,
        conformity=conformity(mad, test.mad_ranges),
    )


def check_suitable(test: DigitTest, counts: Counts, min_records: int, min_orders: int) -> None:
    """Refuse a population the test cannot say anything meaningful about, and say why."""
    n = counts.n
    smallest = min(test.expected.values())
    needed = max(min_records, math.ceil(MIN_EXPECTED_COUNT / smallest))
    if n < needed:
        raise KansaError(
            tr(
                f"Too few records for the {test.title_en.lower()}: {n} eligible values "
                f"(positive, at least {test.min_digits} digits), {needed} needed "
                f"(at least {min_records}, and every digit's expected count >= 5 for chi-square).",
                f"{test.title_ja}には件数が足りません: 対象値 {n} 件（正の値、{test.min_digits} 桁以上）、"
                f"必要数 {needed} 件（最低 {min_records} 件、かつカイ二乗検定のため各桁の期待度数 5 以上）。",
            ),
            hint=tr(
                f"Excluded: {counts.null} empty, {counts.non_positive} zero or negative, "
                f"{counts.too_small} below {10 ** (test.min_digits - 1)}.",
                f"除外: 空 {counts.null} 件、ゼロ・負 {counts.non_positive} 件、"
                f"{10 ** (test.min_digits - 1)} 未満 {counts.too_small} 件。",
            ),
        )
    if test.name != "last-two":
        span = magnitude_span(counts.by_magnitude)
        if span < min_orders:
            raise KansaError(
                tr(
                    f"Values span {span} order(s) of magnitude between the 1st and 99th "
                    f"percentile; Benford's law describes data spanning at least {min_orders}. "
                    "The digits of a narrow range follow the range, not Benford.",
                    f"1〜99パーセンタイルの値の幅が {span} 桁しかありません。ベンフォードの法則は "
                    f"{min_orders} 桁以上にわたるデータに当てはまります。狭い範囲の数字は範囲の影響を受けます。",
                ),
                hint=tr(
                    "Lower --min-orders only if you know why the data should still conform.",
                    "適合すべき理由が明確な場合に限り --min-orders を下げてください。",
                ),
            )


def top_overrepresented(st: BenfordStats, top: int) -> list[DigitRow]:
    """The digits with the most excess records, by z (only digits above expectation)."""
    over = [r for r in st.rows if r.excess > 0]
    return sorted(over, key=lambda r: (-r.z, r.digit))[:top]


def flagged_records(
    pop: Population, column: str, test: DigitTest, over: list[DigitRow], limit: int
) -> Table:
    """The records whose digits are ``over``, first ``limit`` by position in the file."""
    cols = ["_row", "digit", *pop.columns]
    if not over:
        return Table("records", cols, [], total=0)
    rel = digits_relation(pop, column, test.name, test.min_digits)
    wanted = ", ".join(str(int(r.digit)) for r in over)
    select = ", ".join(["_row", "__digit", *pop.record_columns()])
    sql = (
        f"SELECT {select} FROM ({rel}) WHERE __class = 0 AND __digit IN ({wanted}) "
        f"ORDER BY _row LIMIT {int(limit)}"
    )
    rows = [[r[0], test.key(int(r[1])), *r[2:]] for r in pop.rows(sql)]
    return Table("records", cols, rows, total=sum(r.actual for r in over))


def run_benford(
    pop: Population,
    column: str,
    test_name: str,
    *,
    min_records: int = 1000,
    min_orders: int = 2,
    top: int = 3,
    limit: int = 10_000,
) -> Analysis:
    if test_name not in TESTS:
        raise KansaError(
            tr(f"Unknown test {test_name!r}.", f"検定 {test_name!r} はありません。"),
            hint=", ".join(TESTS),
        )
    if not is_numeric(pop.columns.get(column, "")):
        pop.column(column, numeric=True)
    test = TESTS[test_name]
    counts = count_digits(pop, column, test)
    check_suitable(test, counts, min_records, min_orders)
    st = digit_statistics(test, counts.by_digit)
    over = top_overrepresented(st, top)
    records = flagged_records(pop, column, test, over, limit)
    return _analysis(pop, column, test, counts, st, over, records, min_records, min_orders, top)


def _digits_table(st: BenfordStats) -> Table:
    cols = [
        "digit",
        "actual_count",
        "expected_count",
        "actual_proportion",
        "expected_proportion",
        "difference",
        "z",
        "significant_5pct",
    ]
    rows: list[list[Any]] = [
        [r.digit, r.actual, r.expected_count, r.ap, r.ep, r.ap - r.ep, r.z, r.z > Z_CRITICAL_5PCT]
        for r in st.rows
    ]
    chart = Chart(
        "Actual vs Benford / 実績とベンフォード期待値",
        "digit",
        ("actual_count",),
        ("expected_count",),
    )
    return Table("digits", cols, rows, chart=chart)


def _conclusion(
    pop: Population, column: str, test: DigitTest, st: BenfordStats, over: list[DigitRow]
) -> dict[str, str]:
    where = f"{pop.input.dataset}.{column}"
    sig = [r for r in over if r.z > Z_CRITICAL_5PCT]
    sig_en = ", ".join(
        f"{r.digit} (z={r.z:.2f}, {r.actual} vs {r.expected_count:.0f} expected)" for r in sig
    )
    sig_ja = "、".join(
        f"{r.digit}（z={r.z:.2f}、実績 {r.actual} 件・期待 {r.expected_count:.0f} 件）" for r in sig
    )
    chi_en = "exceeds" if st.chi_square > st.chi_critical else "does not exceed"
    chi_ja = "上回ります" if st.chi_square > st.chi_critical else "下回ります"
    if st.conformity is not None:
        c_en, c_ja = CONFORMITY[st.conformity]
        mad_en = f"MAD {st.mad:.5f}: {c_en} (Nigrini 2012)."
        mad_ja = f"MAD {st.mad:.5f}：{c_ja}（Nigrini 2012）。"
    else:
        mad_en = f"MAD {st.mad:.5f} (no published conformity ranges for this test)."
        mad_ja = f"MAD {st.mad:.5f}（この検定の適合範囲は公表されていません）。"
    en = (
        f"{test.title_en} on {where}, N={st.n:,}. {mad_en} Chi-square {st.chi_square:.2f} with {st.df} df "
        f"{chi_en} the 5% critical value {st.chi_critical:.2f} (p={st.p_value:.4g}). "
        + (
            f"Significantly over-represented at 5%: {sig_en}; their records are listed for follow-up."
            if sig
            else "No digit is significantly over-represented at 5%."
        )
    )
    ja = (
        f"{where} の{test.title_ja}（N={st.n:,}）。{mad_ja}カイ二乗値 {st.chi_square:.2f}（自由度 {st.df}）は"
        f"5%臨界値 {st.chi_critical:.2f} を{chi_ja}（p={st.p_value:.4g}）。"
        + (
            f"5%水準で有意に多い数字: {sig_ja}。該当レコードを追加調査用に一覧にしました。"
            if sig
            else "5%水準で有意に多い数字はありません。"
        )
    )
    return {"en": en, "ja": ja}


def _analysis(
    pop: Population,
    column: str,
    test: DigitTest,
    counts: Counts,
    st: BenfordStats,
    over: list[DigitRow],
    records: Table,
    min_records: int,
    min_orders: int,
    top: int,
) -> Analysis:
    summary: dict[str, Any] = {
        "n": st.n,
        "records_in_snapshot": counts.total,
        "excluded_empty": counts.null,
        "excluded_zero_or_negative": counts.non_positive,
        "excluded_below_minimum": counts.too_small,
        "chi_square": st.chi_square,
        "degrees_of_freedom": st.df,
        "p_value": st.p_value,
        "chi_square_critical_5pct": st.chi_critical,
        "mad": st.mad,
        "conformity": st.conformity,
        "mad_ranges": list(test.mad_ranges) if test.mad_ranges else None,
        "orders_of_magnitude_p1_p99": magnitude_span(counts.by_magnitude),
        "most_overrepresented": [{"digit": r.digit, "z": r.z, "excess": r.excess} for r in over],
        "over_represented_5pct": [
            r.digit for r in st.rows if r.excess > 0 and r.z > Z_CRITICAL_5PCT
        ],
        "under_represented_5pct": [
            r.digit for r in st.rows if r.excess < 0 and r.z > Z_CRITICAL_5PCT
        ],
    }
    return pop.analysis(
        analysis="benford",
        title={
            "en": f"Benford's law: {test.title_en.lower()}",
            "ja": f"ベンフォードの法則: {test.title_ja}",
        },
        parameters={
            "column": column,
            "test": test.name,
            "min_records": min_records,
            "min_orders": min_orders,
            "top_digits": top,
            "minimum_value": 10 ** (test.min_digits - 1),
        },
        summary=summary,
        conclusion=_conclusion(pop, column, test, st, over),
        tables=[_digits_table(st)],
        records=records,
    )
