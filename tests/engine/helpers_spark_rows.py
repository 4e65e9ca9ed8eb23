"""Exception rows of two engines compared value by value (the Spark parity tests' yardstick).

Rows are read with pyarrow, each value brought to one comparable form, and sorted:

* decimals and integers compare as exact numbers (``Decimal("1.50") == 1.5`` is not asked: a
  DECIMAL is never a float here), floats within 1e-9 relative (engines sum in other orders);
* timestamps compare as UTC instants (a zone-less one is read as UTC, the session zone of both
  engines); dates as dates;
* NULL is NULL on both sides.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return ("ts", (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).astimezone(dt.UTC))
    if isinstance(v, bool) or v is None:
        return ("v", v)
    if isinstance(v, int | Decimal):
        return ("num", Decimal(v))
    if isinstance(v, float):
        return ("float", v)
    return ("v", v)


def rows(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and the normalized rows of an exception file, sorted."""
    table = pq.read_table(path)
    out = [tuple(_value(v) for v in row.values()) for row in table.to_pylist()]
    return table.column_names, sorted(out, key=repr)


def same_value(a: Any, b: Any) -> bool:
    if a[0] == "float" or b[0] == "float":
        if a[1] is None or b[1] is None:
            return a[1] is b[1]
        return math.isclose(float(a[1]), float(b[1]), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def differences(left: Path, right: Path) -> list[str]:
    """What differs between two exception files (empty: the same rows)."""
    lcols, lrows = rows(left)
    rcols, rrows = rows(right)
    if lcols != rcols:
        return [f"columns {lcols} != {rcols}"]
    if len(lrows) != len(rrows):
        return [f"{len(lrows)} rows != {len(rrows)} rows"]
    out = []
    for n, (a, b) in enumerate(zip(lrows, rrows, strict=True)):
        for col, x, y in zip(lcols, a, b, strict=True):
            if not same_value(x, y):
                out.append(f"row {n} {col}: {x[1]!r} != {y[1]!r}")
    return out
