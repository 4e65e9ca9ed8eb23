"""Sample sizes for attribute sampling (tests of controls) and monetary unit sampling.

Attribute sampling (AICPA Audit Guide *Audit Sampling*, Appendix A, Tables A-1 and A-2):
the smallest n such that, with ``k = ceil(n * expected_rate)`` deviations expected in the
sample, the probability of seeing at most k deviations when the true rate equals the
tolerable rate is at most the risk of overreliance:

    binomial:  sum_{i<=k} C(n,i) TR^i (1-TR)^(n-i) <= risk
    poisson:   sum_{i<=k} e^(-n TR) (n TR)^i / i!   <= risk

``k`` is computed with exact rational arithmetic (no 14.000000000000002 -> 15).

Monetary unit sampling:

* ``expansion`` (AICPA guide, 2001 ed., ch. 6; Whittington & Pany 2006):
  ``n = ceil(BV * RF(0) / (TM - EM * EF))`` with RF(0) the zero-misstatement reliability factor
  as published (two decimals) and EF the published expansion factor for the risk.
* ``gamma`` (AICPA guide 2017, Appendix C, Table C-1; Stewart 2012, *Technical Notes on the
  AICPA Audit Guide Audit Sampling*): the smallest n whose Poisson upper bound, with expected
  taintings ``n * EM / BV``, is within tolerable: ``gamma.ppf(1 - risk, 1 + n*EM/BV) / n <=
  TM / BV``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

import numpy as np
from scipy import stats

from kansa.analytics.sampling.factors import check_risk, expansion_factor, table_factor
from kansa.errors import KansaError
from kansa.i18n import tr

MAX_SAMPLE = 20_000


@dataclass(frozen=True)
class AttributeSize:
    n: int
    expected_deviations: int
    risk_at_n: float


def _rate(value: float | str | Decimal, name: str) -> Fraction:
    f = Fraction(str(value))
    if not 0 <= f < 1:
        raise KansaError(
            tr(
                f"{name} must be a rate between 0 and 1, not {value}.",
                f"{name} は 0 以上 1 未満の率にしてください（{value}）。",
            )
        )
    return f


def attribute_size(
    confidence: float,
    tolerable: float | str,
    expected: float | str = 0,
    distribution: str = "binomial",
    max_n: int = MAX_SAMPLE,
) -> AttributeSize:
    risk = 1 - confidence
    check_risk(risk)
    tr_ = _rate(tolerable, "tolerable rate")
    pe = _rate(expected, "expected rate")
    if tr_ == 0 or pe >= tr_:
        raise KansaError(
            tr(
                "The expected deviation rate must be below the tolerable rate (and the tolerable rate above 0).",
                "予想逸脱率は許容逸脱率より小さくしてください（許容逸脱率は 0 より大きく）。",
            )
        )
    if distribution not in ("binomial", "poisson"):
        raise KansaError(
            tr(
                f"Unknown distribution {distribution!r} (binomial, poisson).",
                f"分布 {distribution!r} はありません（binomial, poisson）。",
            )
        )

    def risk_of(n: np.ndarray) -> np.ndarray:
        k = -((-n * pe.numerator) // pe.denominator)  # exact ceil(n * pe)
        if distribution == "binomial":
            return np.asarray(stats.binom.cdf(k, n, float(tr_)))
        return np.asarray(stats.poisson.cdf(k, n * float(tr_)))

    n = smallest_n(lambda ns: risk_of(ns) <= risk, max_n)
    k = -((-n * pe.numerator) // pe.denominator)
    return AttributeSize(n=n, expected_deviations=k, risk_at_n=float(risk_of(np.array([n]))[0]))


def smallest_n(ok: Callable[[np.ndarray], np.ndarray], max_n: int) -> int:
    """The smallest n in 1..max_n with ok(n), searched in growing chunks (small n are cheap)."""
    lo = 1
    while lo <= max_n:
        hi = min(max_n, lo * 4 + 256)
        n = np.arange(lo, hi + 1)
        hits = np.nonzero(ok(n))[0]
        if hits.size:
            return int(n[hits[0]])
        lo = hi + 1
    raise KansaError(
        tr(
            f"No sample of up to {max_n} items achieves this: the expected error is too close to the tolerable one.",
            f"{max_n} 件以下の標本では達成できません。予想誤謬が許容値に近すぎます。",
        )
    )


@dataclass(frozen=True)
class MusSize:
    n: int
    interval: Decimal
    reliability_factor: Decimal | float
    expansion_factor: Decimal | None
    expected_taintings: float | None


def _positive(value: Decimal, name: str) -> Decimal:
    if value <= 0:
        raise KansaError(tr(f"{name} must be positive.", f"{name} は正の値にしてください。"))
    return value


def mus_size_expansion(
    population_value: Decimal, tolerable: Decimal, expected: Decimal, confidence: float
) -> MusSize:
    risk = 1 - confidence
    bv = _positive(population_value, "population value")
    tm = _positive(tolerable, "tolerable misstatement")
    rf = table_factor(0, risk)
    ef = expansion_factor(risk)
    room = tm - expected * ef
    if room <= 0:
        raise KansaError(
            tr(
                "Expected misstatement times the expansion factor uses up the whole tolerable misstatement.",
                "予想虚偽表示×拡張係数が許容虚偽表示を使い切っています。",
            )
        )
    n = int((bv * rf / room).to_integral_value(rounding=ROUND_CEILING))
    return MusSize(
        n=n, interval=bv / n, reliability_factor=rf, expansion_factor=ef, expected_taintings=None
    )


def mus_size_gamma(
    population_value: Decimal,
    tolerable: Decimal,
    expected: Decimal,
    confidence: float,
    max_n: int = MAX_SAMPLE,
) -> MusSize:
    risk = 1 - confidence
    check_risk(risk)
    bv = _positive(population_value, "population value")
    pt = float(_positive(tolerable, "tolerable misstatement") / bv)
    pe = float(expected / bv)
    size = smallest_n(
        lambda n: np.asarray(stats.gamma.ppf(confidence, 1 + n * pe)) / n <= pt, max_n
    )
    return MusSize(
        n=size,
        interval=bv / size,
        reliability_factor=float(stats.gamma.ppf(confidence, 1 + size * pe)),
        expansion_factor=None,
        expected_taintings=size * pe,
    )
