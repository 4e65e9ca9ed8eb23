"""Data-quality signals: a day whose row count is far from the days before it.

A daily export that suddenly has a tenth of its usual rows is more often a broken extract than
a quiet day; a verdict on it should say so. The signal compares each day of a dated view with
the median of the (up to) :data:`WINDOW` loaded days before it and warns when it is below
:data:`LOW` or above :data:`HIGH` times that median. It is computed from the row counts the
manifest records, so ``kansa ingest`` (for the days it loads) and ``kansa run`` (for the whole
view it reads) show the same warnings without reading any data.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Collection, Sequence
from typing import Any

from kansa.vault.parts import Part

WINDOW = 7
MIN_HISTORY = 3  # fewer earlier days than this: no baseline, no signal
LOW, HIGH = 0.5, 2.0


def row_count_warnings(
    dataset: str, parts: Sequence[Part], days: Collection[dt.date] | None = None
) -> list[dict[str, Any]]:
    """Warnings for the days of ``parts`` (only ``days`` if given), oldest first."""
    ordered = sorted(parts, key=lambda p: p.day)
    out: list[dict[str, Any]] = []
    for i, part in enumerate(ordered):
        if days is not None and part.day not in days:
            continue
        history = [p.rows for p in ordered[max(0, i - WINDOW) : i]]
        if len(history) < MIN_HISTORY:
            continue
        median = statistics.median(history)
        if median and LOW <= part.rows / median <= HIGH:
            continue
        if not median and not part.rows:
            continue
        out.append(
            {
                "kind": "row_count",
                "dataset": dataset,
                "day": part.day.isoformat(),
                "rows": part.rows,
                "median": median,
                "en": f"{dataset} {part.day}: {part.rows:,} rows, the {len(history)} days "
                f"before had a median of {median:,.0f}",
                "ja": f"{dataset} {part.day}: {part.rows:,} 行（直前 {len(history)} 日の中央値は "
                f"{median:,.0f} 行）",
            }
        )
    return out
