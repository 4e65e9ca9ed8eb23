"""Turn evidence values into Excel cell values without losing a digit.

Excel stores numbers as IEEE doubles, exact only up to 2**53; amounts in satoshi or wei go far
beyond, so such integers and decimals are written as text (exact) rather than rounded numbers.
Excel has neither time zones nor microseconds (openpyxl rounds to milliseconds), so timestamps
are written as ISO 8601 text in UTC (``2026-10-30T09:00:07.154856Z``): exact, and sorted text is
in time order. Calendar dates stay Excel dates.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# IEEE 754 double: integers are exact up to 2**53 (Excel keeps 15 significant digits in
# display, but the stored value round-trips exactly below this bound).
MAX_EXACT_INT = 2**53


def _number(value: int | Decimal) -> int | float | str:
    if isinstance(value, int):
        return value if abs(value) <= MAX_EXACT_INT else str(value)
    if value == value.to_integral_value() and abs(value) <= MAX_EXACT_INT:
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def cell_value(value: Any) -> Any:
    """A value openpyxl can write that shows exactly what the evidence holds."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int | Decimal):
        return _number(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))
