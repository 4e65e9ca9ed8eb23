"""Data-quality signals: a day whose row count, or a column's share of NULLs, is far from the
days before it.

A daily export that suddenly has a tenth of its usual rows is more often a broken extract than
a quiet day; a verdict on it should say so. The signal compares each day of a dated view with
the median of the :data:`WINDOW` most recent earlier days that hold rows, and says nothing
until a dataset has that many. A day loaded empty is no baseline: the demo loads a look-back of
customers' earlier logins as one span of mostly empty days, and the first full days after it
were reported as "274 rows, the 7 days before had a median of 0"; and a dataset's first week
is no history. An empty day itself is still judged, against the days with rows before it.

It warns when a day is below :data:`LOW` or above :data:`HIGH` times that median *and* further
from it than chance explains: a daily count of independent events varies like a Poisson count,
whose standard deviation is the square root of its mean, so a day must also be more than
:data:`SIGMAS` such deviations away (a dataset of 9 rows a day that has 3 is a quiet day; one
of 20,000 that has 9,000 is not). It is computed from the row counts the manifest records; NULL
shares come from each part's Parquet footer. So ``kansa ingest`` (for the days it loads) and
``kansa run`` (for the whole view it reads) show the same warnings without reading any data.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kansa.vault.parts import Part

WINDOW = 7  # earlier days with rows a day is compared with; fewer: no baseline, no signal
LOW, HIGH = 0.5, 2.0
SIGMAS = 3  # how many Poisson standard deviations (sqrt of the median) a day must be away


def row_count_warnings(
    dataset: str, parts: Sequence[Part], days: Collection[dt.date] | None = None
) -> list[dict[str, Any]]:
    """Warnings for the days of ``parts`` (only ``days`` if given), oldest first."""
    ordered = sorted(parts, key=lambda p: p.day)
    out: list[dict[str, Any]] = []
    for i, part in enumerate(ordered):
        if days is not None and part.day not in days:
            continue
        history = [ordered[j].rows for j in _baseline(ordered, i)]
        if len(history) < WINDOW:
            continue
        median = statistics.median(history)  # > 0: every day of the baseline holds rows
        if LOW <= part.rows / median <= HIGH:
            continue
        if abs(part.rows - median) <= SIGMAS * math.sqrt(median):
            continue  # small counts: within what chance gives a quiet or a busy day
        out.append(
            {
                "kind": "row_count",
                "dataset": dataset,
                "day": part.day.isoformat(),
                "rows": part.rows,
                "median": median,
                "en": f"{dataset} {part.day}: {part.rows:,} rows, the {len(history)} earlier "
                f"days with rows had a median of {median:,.0f}",
                "ja": f"{dataset} {part.day}: {part.rows:,} 行（行のある直前 {len(history)} 日の"
                f"中央値は {median:,.0f} 行）",
            }
        )
    return out


def _baseline(ordered: Sequence[Part], i: int) -> list[int]:
    """Positions of the (up to) :data:`WINDOW` most recent days before ``ordered[i]`` that hold
    rows, oldest first."""
    found: list[int] = []
    for j in range(i - 1, -1, -1):
        if ordered[j].rows:
            found.append(j)
            if len(found) == WINDOW:
                break
    return found[::-1]


NULL_JUMP = 0.2  # a column's share of NULLs this much above its usual share is a warning


def null_rates(path: Path) -> dict[str, float]:
    """Share of NULLs per column of one Parquet part, from its footer (no data is read)."""
    meta = pq.read_metadata(path)
    if not meta.num_rows:
        return {}
    nulls: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            col = group.column(c)
            stats = col.statistics
            if stats is not None and stats.has_null_count:
                nulls[col.path_in_schema] = nulls.get(col.path_in_schema, 0) + stats.null_count
    return {name: n / meta.num_rows for name, n in nulls.items()}


def null_rate_warnings(
    dataset: str, parts: Sequence[tuple[Part, Path]], days: Collection[dt.date] | None = None
) -> list[dict[str, Any]]:
    """Columns whose NULL share on a day is far above their median share on the days before."""
    ordered = sorted(parts, key=lambda pp: pp[0].day)
    by_day = [part for part, _ in ordered]
    cache: dict[int, dict[str, float]] = {}

    def rate(i: int) -> dict[str, float]:  # footers read only for the days compared
        if i not in cache:
            cache[i] = null_rates(ordered[i][1])
        return cache[i]

    out: list[dict[str, Any]] = []
    for i, (part, _) in enumerate(ordered):
        if days is not None and part.day not in days:
            continue
        if not part.rows:
            continue  # an empty day has no share of NULLs (its row count is judged above)
        history = [rate(j) for j in _baseline(by_day, i)]
        if len(history) < WINDOW:
            continue
        for column, share in sorted(rate(i).items()):
            usual = statistics.median(h.get(column, 0.0) for h in history)
            if share - usual < NULL_JUMP:
                continue
            out.append(
                {
                    "kind": "null_rate",
                    "dataset": dataset,
                    "day": part.day.isoformat(),
                    "column": column,
                    "share": round(share, 4),
                    "median": round(usual, 4),
                    "en": f"{dataset} {part.day}: {share:.0%} of {column} is empty, the "
                    f"{len(history)} earlier days with rows had a median of {usual:.0%}",
                    "ja": f"{dataset} {part.day}: {column} の {share:.0%} が空です（行のある直前 "
                    f"{len(history)} 日の中央値は {usual:.0%}）",
                }
            )
    return out
