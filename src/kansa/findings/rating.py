"""The one place where a failing control's finding gets its rating.

Kansa's rule (written out for users in docs/findings.md):

1. Size the exceptions. ``rate`` = exceptions / population (unknown when the control reports
   no population).
   * **isolated**: fewer than 10 exceptions and a rate under 1%;
   * **pervasive**: 100 or more exceptions, or a rate of 5% or more;
   * **recurring**: anything in between.
2. Combine the size with the control's severity:

   ============  =========================  =========================  =========================
   severity      isolated                   recurring                  pervasive
   ============  =========================  =========================  =========================
   critical      significant deficiency     material weakness          material weakness
   high          deficiency                 significant deficiency     material weakness
   medium        deficiency                 deficiency                 significant deficiency
   low           deficiency                 deficiency                 deficiency
   ============  =========================  =========================  =========================

The three ratings follow the deficiency ladder of internal-control reporting: a *deficiency*,
a *significant deficiency* (merits the attention of those charged with governance) and a
*material weakness* (a reasonable possibility that a material misstatement or loss is not
prevented or detected in time). See PCAOB AS 2201 Appendix A (paras A3, A7, A11) and, in Japan,
the FSA's internal-control reporting standard (財務報告に係る内部統制の評価及び監査の基準,
"開示すべき重要な不備"). The thresholds are Kansa's default judgement, not a legal test: an
auditor can always re-rate a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFICIENCY = "deficiency"
SIGNIFICANT_DEFICIENCY = "significant_deficiency"
MATERIAL_WEAKNESS = "material_weakness"
RATINGS = (DEFICIENCY, SIGNIFICANT_DEFICIENCY, MATERIAL_WEAKNESS)

ISOLATED, RECURRING, PERVASIVE = "isolated", "recurring", "pervasive"

ISOLATED_MAX_COUNT = 10  # fewer than this many exceptions ...
ISOLATED_MAX_RATE = 0.01  # ... and a rate under this is isolated
PERVASIVE_MIN_COUNT = 100  # at least this many exceptions ...
PERVASIVE_MIN_RATE = 0.05  # ... or a rate at least this is pervasive

_MATRIX: dict[str, dict[str, str]] = {
    "critical": {
        ISOLATED: SIGNIFICANT_DEFICIENCY,
        RECURRING: MATERIAL_WEAKNESS,
        PERVASIVE: MATERIAL_WEAKNESS,
    },
    "high": {
        ISOLATED: DEFICIENCY,
        RECURRING: SIGNIFICANT_DEFICIENCY,
        PERVASIVE: MATERIAL_WEAKNESS,
    },
    "medium": {ISOLATED: DEFICIENCY, RECURRING: DEFICIENCY, PERVASIVE: SIGNIFICANT_DEFICIENCY},
    "low": {ISOLATED: DEFICIENCY, RECURRING: DEFICIENCY, PERVASIVE: DEFICIENCY},
}

LABELS = {
    DEFICIENCY: ("deficiency", "不備"),
    SIGNIFICANT_DEFICIENCY: ("significant deficiency", "重要な不備"),
    MATERIAL_WEAKNESS: ("material weakness", "開示すべき重要な不備"),
}


@dataclass(frozen=True)
class Rating:
    rating: str
    size: str
    rate: float | None


def exception_rate(exceptions: int, population: int | None) -> float | None:
    if not population:
        return None
    return exceptions / population


def size_of(exceptions: int, population: int | None) -> str:
    """isolated / recurring / pervasive (see the module docstring)."""
    rate = exception_rate(exceptions, population)
    if exceptions >= PERVASIVE_MIN_COUNT or (rate is not None and rate >= PERVASIVE_MIN_RATE):
        return PERVASIVE
    if exceptions < ISOLATED_MAX_COUNT and (rate is None or rate < ISOLATED_MAX_RATE):
        return ISOLATED
    return RECURRING


def rate(severity: str, exceptions: int, population: int | None) -> Rating:
    """The rating of a finding with ``exceptions`` failing rows out of ``population``."""
    if exceptions <= 0:
        raise ValueError("a finding needs at least one exception")
    if severity not in _MATRIX:
        raise ValueError(f"unknown severity {severity!r}")
    size = size_of(exceptions, population)
    return Rating(_MATRIX[severity][size], size, exception_rate(exceptions, population))
