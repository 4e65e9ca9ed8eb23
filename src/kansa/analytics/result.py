"""The result of one analysis: what every workpaper, JSON export and console view is made of.

An :class:`Analysis` is plain data (parameters, inputs, seed, summary figures, tables, the
selected or flagged records, a bilingual conclusion). :func:`to_json` turns it into the
documented workpaper document (schema ``kansa.workpaper/1``, see docs/analytics.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from kansa import __version__

SCHEMA = "kansa.workpaper/1"
# Integers beyond 2^53 lose precision in JSON readers that use doubles (JavaScript, Excel):
# such values, and every DECIMAL amount, are written as decimal strings.
SAFE_INT = 2**53
# A text in both languages of the product: {"en": ..., "ja": ...}.
Bilingual = dict[str, str]


@dataclass(frozen=True)
class Chart:
    """A chart of one table: ``category`` on the x axis, one series per column in ``bars`` and
    ``lines`` (e.g. actual counts as bars, expected counts as a line)."""

    title: str
    category: str
    bars: tuple[str, ...]
    lines: tuple[str, ...] = ()


@dataclass
class Table:
    """Rows under named columns. ``total`` counts all rows when only the first ones are kept."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    total: int | None = None
    chart: Chart | None = None

    @property
    def truncated(self) -> bool:
        return self.total is not None and self.total > len(self.rows)


@dataclass
class Analysis:
    analysis: str
    title: Bilingual
    parameters: dict[str, Any]
    inputs: list[dict[str, Any]]
    summary: dict[str, Any]
    conclusion: Bilingual
    seed: int | None = None
    tables: list[Table] = field(default_factory=list)
    records: Table | None = None

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def json_value(v: Any) -> Any:
    """One cell as JSON: decimals as strings, big integers as strings, times as ISO 8601."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, int):
        return v if abs(v) <= SAFE_INT else str(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, timedelta):
        return v.total_seconds()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [json_value(x) for x in v]
    return str(v)


def table_json(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {
        "columns": list(t.columns),
        "rows": [[json_value(c) for c in r] for r in t.rows],
        "total": t.total if t.total is not None else len(t.rows),
        "truncated": t.truncated,
    }
    return out


def to_json(a: Analysis, created_at: str) -> dict[str, Any]:
    """The workpaper document (without its ``id``, which is the hash of this)."""
    return {
        "schema": SCHEMA,
        "analysis": a.analysis,
        "title": dict(a.title),
        "created_at": created_at,
        "kansa_version": __version__,
        "parameters": json_value(a.parameters),
        "inputs": json_value(a.inputs),
        "seed": a.seed,
        "summary": json_value(a.summary),
        "tables": {t.name: table_json(t) for t in a.tables},
        "records": table_json(a.records) if a.records is not None else None,
        "conclusion": dict(a.conclusion),
    }
