"""Why a control has no conclusion, in the report's language.

The engine records the reason as text in the language of the run, and the same facts as data
(``coverage``: the inputs that held no data, the days each dated input misses). A report is
read in its own language, so it words the reason from the data and keeps the recorded text
only when there is no data to word it from (an error's message, an older run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kansa.engine.coverage import day_spans


def reason_text(
    status: str, coverage: dict[str, Any] | None, recorded: str | None, t: dict[str, Any]
) -> str:
    """The reason of a not tested or incomplete control, worded with the labels ``t``."""
    coverage = coverage or {}
    if status == "not_tested" and coverage.get("missing_datasets"):
        return str(t["why_unseen"]).format(datasets=", ".join(coverage["missing_datasets"]))
    if status == "incomplete" and coverage.get("datasets"):
        gaps = [
            str(t["why_days"]).format(
                dataset=name, n=len(info["missing"]), days=_spans(info["missing"])
            )
            for name, info in sorted(coverage["datasets"].items())
            if info.get("missing")
        ]
        if gaps:
            return "; ".join(gaps)
    return recorded or ""


def _spans(days: list[str]) -> str:
    return day_spans(sorted(dt.date.fromisoformat(d) for d in days))
