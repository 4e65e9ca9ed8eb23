"""Evaluating sample results.

Attribute sampling (AICPA Audit Guide *Audit Sampling*, Appendix A, Tables A-3 and A-4):
the upper deviation limit at confidence c after k deviations in n items is the p with
``P(X <= k | n, p) = 1 - c``, i.e. the one-sided Clopper-Pearson bound
``beta.ppf(c, k + 1, n - k)`` (binomial; 1 when k = n) or ``gamma.ppf(c, k + 1) / n``
(Poisson). The published tables print it rounded up to 0.1%.

Monetary unit sampling (AICPA Audit Guide *Audit Sampling*, ch. 6 "evaluating the sample
results"; the Stringer bound): with sampling interval J and reliability factors RF(k),

* tainting of a misstated item with book value B < J: t = (B - A) / B; its projected
  misstatement is t * J. An item with B >= J (top stratum) is examined in full: its projected
  misstatement is its actual misstatement B - A, and it adds no sampling risk;
* basic precision = RF(0) * J;
* incremental allowance = sum_i PM_i * (RF(i) - RF(i-1) - 1), the projected misstatements of
  items below J ranked from the largest down (so the largest tainting gets the largest factor);
* upper misstatement limit = total projected misstatement + basic precision + incremental
  allowance. The population is supported at the stated confidence when the limit does not
  exceed tolerable misstatement.

Overstatements and understatements are evaluated separately, as the guide does; Kansa does not
net them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from scipy import stats

from kansa.analytics.sampling.factors import check_risk, reliability_factor
from kansa.errors import KansaError
from kansa.i18n import tr


@dataclass(frozen=True)
class AttributeResult:
    n: int
    deviations: int
    sample_rate: float
    upper_limit: float
    upper_limit_table_pct: float
    tolerable_rate: float | None

    @property
    def supported(self) -> bool | None:
        return None if self.tolerable_rate is None else self.upper_limit <= self.tolerable_rate


def attribute_upper_limit(
    n: int, k: int, confidence: float, distribution: str = "binomial"
) -> float:
    check_risk(1 - confidence)
    if n <= 0 or not 0 <= k <= n:
        raise KansaError(
            tr(
                f"Need 0 <= deviations <= sample size (got {k} of {n}).",
                f"逸脱数は 0 以上・標本数以下にしてください（{n} 件中 {k} 件）。",
            )
        )
    if distribution == "poisson":
        return float(stats.gamma.ppf(confidence, k + 1)) / n
    if k == n:
        return 1.0
    return float(stats.beta.ppf(confidence, k + 1, n - k))


def table_percent(rate: float) -> float:
    """As printed in AICPA Tables A-3/A-4: percent rounded up to one decimal."""
    return math.ceil(round(rate * 1000, 9)) / 10


def evaluate_attribute(
    n: int, k: int, confidence: float, tolerable_rate: float | None, distribution: str = "binomial"
) -> AttributeResult:
    ul = attribute_upper_limit(n, k, confidence, distribution)
    return AttributeResult(n, k, k / n, ul, table_percent(ul), tolerable_rate)


@dataclass(frozen=True)
class Misstatement:
    """One sampled item whose audited value differs from its book value."""

    ref: str
    book: Decimal
    audited: Decimal
    interval: Decimal

    @property
    def amount(self) -> Decimal:
        return abs(self.book - self.audited)

    @property
    def top_stratum(self) -> bool:
        return self.book >= self.interval

    @property
    def tainting(self) -> Decimal | None:
        return None if self.top_stratum else self.amount / self.book

    @property
    def projected(self) -> Decimal:
        t = self.tainting
        return self.amount if t is None else t * self.interval


@dataclass
class MusBound:
    """One direction (overstatement or understatement) of a MUS evaluation."""

    direction: str
    items: list[Misstatement]
    projected: Decimal
    basic_precision: Decimal
    incremental_allowance: Decimal
    factors: list[Decimal]
    ranked: list[dict[str, Any]] = field(default_factory=list)

    @property
    def upper_limit(self) -> Decimal:
        return self.projected + self.basic_precision + self.incremental_allowance


FactorMode = str | list[Decimal]


def factor_table(k: int, risk: float, mode: FactorMode) -> list[Decimal]:
    """RF(0..k): computed (``table`` or ``exact``) or a firm's own published list."""
    if isinstance(mode, str):
        return [reliability_factor(i, risk, mode) for i in range(k + 1)]
    if len(mode) < k + 1:
        raise KansaError(
            tr(
                f"The factor list has {len(mode)} factors; {k} misstatements need {k + 1}.",
                f"係数表は {len(mode)} 個です。虚偽表示 {k} 件には {k + 1} 個必要です。",
            )
        )
    return list(mode[: k + 1])


def stringer_bound(
    direction: str, items: list[Misstatement], interval: Decimal, risk: float, mode: FactorMode
) -> MusBound:
    """Projected misstatement, basic precision, incremental allowance (ranked taintings)."""
    with localcontext() as ctx:
        ctx.prec = 60
        lower = sorted(
            (m for m in items if not m.top_stratum), key=lambda m: (-(m.tainting or 0), m.ref)
        )
        top = [m for m in items if m.top_stratum]
        factors = factor_table(len(lower), risk, mode)
        basic = factors[0] * interval
        ranked, allowance = [], Decimal(0)
        for i, m in enumerate(lower, start=1):
            step = factors[i] - factors[i - 1] - 1
            allowance += m.projected * step
            ranked.append(
                {
                    "rank": i,
                    "ref": m.ref,
                    "tainting": m.tainting,
                    "projected": m.projected,
                    "factor_increment_less_one": step,
                    "allowance": m.projected * step,
                }
            )
        projected = sum((m.projected for m in lower), Decimal(0)) + sum(
            (m.amount for m in top), Decimal(0)
        )
        return MusBound(direction, items, projected, basic, allowance, factors, ranked)


@dataclass(frozen=True)
class SampleItem:
    ref: str
    book: Decimal
    audited: Decimal


@dataclass
class MusResult:
    interval: Decimal
    confidence: float
    sample_size: int
    over: MusBound
    under: MusBound
    tolerable: Decimal | None

    @property
    def supported(self) -> bool | None:
        return (
            None
            if self.tolerable is None
            else self.over.upper_limit <= self.tolerable
            and self.under.upper_limit <= self.tolerable
        )


def evaluate_mus(
    items: list[SampleItem],
    interval: Decimal,
    confidence: float,
    tolerable: Decimal | None,
    mode: FactorMode = "table",
) -> MusResult:
    if interval <= 0:
        raise KansaError(
            tr("The sampling interval must be positive.", "抽出間隔は正の値にしてください。")
        )
    for it in items:
        if it.book <= 0:
            raise KansaError(
                tr(
                    f"Item {it.ref} has book value {it.book}: MUS selects only positive book values.",
                    f"項目 {it.ref} の帳簿価額は {it.book} です。MUS は正の帳簿価額のみを抽出します。",
                )
            )
    over = [Misstatement(i.ref, i.book, i.audited, interval) for i in items if i.audited < i.book]
    under = [Misstatement(i.ref, i.book, i.audited, interval) for i in items if i.audited > i.book]
    risk = 1 - confidence
    return MusResult(
        interval=interval,
        confidence=confidence,
        sample_size=len(items),
        over=stringer_bound("overstatement", over, interval, risk, mode),
        under=stringer_bound("understatement", under, interval, risk, mode),
        tolerable=tolerable,
    )
