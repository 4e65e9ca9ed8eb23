"""Two exception files compared value by value: the yardstick of engine parity.

Two runs of one control (DuckDB and Spark, a run and its replay, before and after an upgrade)
must give the same exception rows, but not necessarily the same bytes: the engines write other
Parquet types for the same value and no order is promised. Rows are therefore read with
pyarrow, each value brought to one comparable form, and sorted:

* decimals and integers compare as exact numbers (a DECIMAL is never turned into a float, so
  ``0.1 + 0.2`` cannot hide a cent), floats within 1e-9 relative (engines sum in other
  orders, and floating-point addition is not associative);
* timestamps compare as UTC instants (a zone-less one is read as UTC, the session zone of both
  engines); dates as dates;
* NULL is NULL on both sides.

This is what ``kansa compare`` (:mod:`kansa.engine.compare_runs`) and the Spark parity tests
use. Both files are read whole: an exception set is what an auditor reads, far smaller than
the population it was found in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kansa.i18n import tr

Value = tuple[str, Any]  # (kind, value): "num", "float", "ts" or "v"


@dataclass(frozen=True)
class FileComparison:
    """How many rows were compared, and what differs (empty: the same rows)."""

    rows: int
    differences: list[str]


def _value(v: Any) -> Value:
    if isinstance(v, dt.datetime):
        return ("ts", (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).astimezone(dt.UTC))
    if isinstance(v, bool) or v is None:
        return ("v", v)
    if isinstance(v, int | Decimal):
        return ("num", Decimal(v))
    if isinstance(v, float):
        return ("float", v)
    return ("v", v)


def rows(path: Path) -> tuple[list[str], list[tuple[Value, ...]]]:
    """Column names and the normalized rows of an exception file, sorted."""
    table = pq.read_table(path)
    out = [tuple(_value(v) for v in row.values()) for row in table.to_pylist()]
    return table.column_names, sorted(out, key=repr)


def same_value(a: Value, b: Value) -> bool:
    if a[0] == "float" or b[0] == "float":
        if a[1] is None or b[1] is None:
            return a[1] is b[1]
        return math.isclose(float(a[1]), float(b[1]), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def shown(v: Value) -> str:
    """A value as a person reads it: NULL, text quoted (blanks stay visible), numbers exact."""
    kind, x = v
    if x is None:
        return "NULL"
    if kind == "ts":
        return str(x.isoformat())
    if isinstance(x, str):
        return repr(x)
    return str(x)


def _coarse(row: tuple[Value, ...]) -> tuple[Any, ...]:
    """A row with floats rounded to 9 significant digits, to match rows across two files."""
    return tuple(f"{x[1]:.9g}" if x[0] == "float" and x[1] is not None else x for x in row)


def _unmatched(columns: list[str], left: list[tuple[Value, ...]], right: list[tuple[Value, ...]],
               limit: int | None) -> list[str]:  # fmt: skip
    """The rows found in only one file, when the two hold a different number of rows."""
    extra_left = Counter(map(_coarse, left)) - Counter(map(_coarse, right))
    extra_right = Counter(map(_coarse, right)) - Counter(map(_coarse, left))
    out: list[str] = []
    for side, extra, source in (("A", extra_left, left), ("B", extra_right, right)):
        for row in source:
            if limit is not None and len(out) >= limit:
                return out
            if extra[_coarse(row)] > 0:
                extra[_coarse(row)] -= 1
                out.append(tr(f"only in {side}: ", f"{side} のみ: ") + _record(columns, row))
    return out


def _record(columns: Iterable[str], row: tuple[Value, ...]) -> str:
    return ", ".join(f"{c}={shown(v)}" for c, v in zip(columns, row, strict=True))


def compare_files(left: Path, right: Path, *, limit: int | None = None) -> FileComparison:
    """Compare two exception files; at most ``limit`` differences are listed (all if None)."""
    lcols, lrows = rows(left)
    rcols, rrows = rows(right)
    if lcols != rcols:
        return FileComparison(len(lrows), [tr("columns", "列") + f" {lcols} != {rcols}"])
    if len(lrows) != len(rrows):
        head = tr(f"{len(lrows)} rows != {len(rrows)} rows", f"{len(lrows)} 行 != {len(rrows)} 行")
        more = None if limit is None else max(limit - 1, 0)
        return FileComparison(len(lrows), [head, *_unmatched(lcols, lrows, rrows, more)])
    out: list[str] = []
    for n, (a, b) in enumerate(zip(lrows, rrows, strict=True)):
        for col, x, y in zip(lcols, a, b, strict=True):
            if limit is not None and len(out) >= limit:
                return FileComparison(len(lrows), out)
            if not same_value(x, y):
                out.append(tr(f"row {n} ", f"{n} 行目 ") + f"{col}: {shown(x)} != {shown(y)}")
    return FileComparison(len(lrows), out)


def differences(left: Path, right: Path) -> list[str]:
    """Every difference between two exception files (empty: the same rows)."""
    return compare_files(left, right).differences
