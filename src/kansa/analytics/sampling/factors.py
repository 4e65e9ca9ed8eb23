"""Reliability (confidence) factors and expansion factors for monetary unit sampling.

* Reliability factor for k misstatements at risk of incorrect acceptance ``r``: the upper
  (1 - r) limit of the Poisson mean given k events, ``RF(k, r) = gamma.ppf(1 - r, k + 1)``
  (equivalently ``chi2.ppf(1 - r, 2k + 2) / 2``); e.g. RF(0, 5%) = -ln 0.05 = 2.996.
  AICPA Audit Guide *Audit Sampling*, MUS confidence factors for sample evaluation; Leslie,
  Teitlebaum & Anderson (1979), *Dollar-Unit Sampling*.
* The published tables print these factors rounded **up** to two decimals (3.00, 4.75, 6.30,
  7.76 ... at 5%): ``table_factor`` reproduces them (tests/analytics/test_analytics_factors.py
  checks every cell of the published table, rows 0-20).
* Expansion factors for expected misstatement (AICPA Audit Guide *Audit Sampling*, 2001 ed.,
  ch. 6; reprinted in Whittington & Pany, *Principles of Auditing*, 2006, Table 2 of the PPS
  tables): published constants, not derived here.
"""

from __future__ import annotations

import math
from decimal import Decimal

from scipy import stats

from kansa.errors import KansaError
from kansa.i18n import tr

EXPANSION_FACTORS: dict[Decimal, Decimal] = {
    Decimal("0.01"): Decimal("1.9"),
    Decimal("0.05"): Decimal("1.6"),
    Decimal("0.10"): Decimal("1.5"),
    Decimal("0.15"): Decimal("1.4"),
    Decimal("0.20"): Decimal("1.3"),
    Decimal("0.25"): Decimal("1.25"),
    Decimal("0.30"): Decimal("1.2"),
    Decimal("0.37"): Decimal("1.15"),
    Decimal("0.50"): Decimal("1.0"),
}


def check_risk(risk: float) -> None:
    if not 0 < risk < 1:
        raise KansaError(
            tr(
                f"Risk {risk} must be between 0 and 1.",
                f"リスク {risk} は 0 と 1 の間にしてください。",
            )
        )


def poisson_factor(k: int, risk: float) -> float:
    """Exact upper (1 - risk) bound on the Poisson mean after k events."""
    check_risk(risk)
    return float(stats.gamma.ppf(1 - risk, k + 1))


def table_factor(k: int, risk: float) -> Decimal:
    """The factor as the published tables print it: rounded up to two decimals."""
    exact = poisson_factor(k, risk)
    return Decimal(math.ceil(round(exact * 100, 9))) / 100


def reliability_factor(k: int, risk: float, mode: str) -> Decimal:
    """``mode`` ``table`` (two decimals, rounded up, as published) or ``exact``."""
    if mode == "table":
        return table_factor(k, risk)
    if mode == "exact":
        return Decimal(repr(poisson_factor(k, risk)))
    raise KansaError(
        tr(
            f"Unknown factor mode {mode!r} (table, exact).",
            f"係数の方式 {mode!r} はありません（table, exact）。",
        )
    )


def expansion_factor(risk: float) -> Decimal:
    exact = Decimal(str(risk))
    key = exact.quantize(Decimal("0.01"))
    if key not in EXPANSION_FACTORS or abs(key - exact) > Decimal("1e-9"):
        raise KansaError(
            tr(
                f"The AICPA expansion factors are published for risks {', '.join(f'{r:.0%}' for r in EXPANSION_FACTORS)} only, not {risk:.2%}.",
                f"AICPA の拡張係数は {', '.join(f'{r:.0%}' for r in EXPANSION_FACTORS)} のリスクについてのみ公表されています（{risk:.2%} はありません）。",
            ),
            hint=tr(
                "Or use --mus-formula gamma, which takes any confidence.",
                "任意の信頼度には --mus-formula gamma を使えます。",
            ),
        )
    return EXPANSION_FACTORS[key]
