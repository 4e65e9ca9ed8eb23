"""Fill ``{{ name }}`` placeholders in a control's SQL with safely quoted literals.

Only literals are substituted (numbers, booleans, strings, dates), never SQL text, so a
parameter value cannot change the shape of the query.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


# Placeholders every control and shared view may use without declaring them: the run's as-of
# day, and ``tz``, the workspace's time zone, which is where every business day begins and
# ends (write ``(ts at time zone {{ tz }})::date``; one boundary for every control).
BUILTINS = frozenset({"as_of", "tz"})
DEFAULT_TZ = "UTC"
# The same zone for Python-logic controls: a DuckDB variable set on their cursor.
TZ_VARIABLE = "kansa_tz"


def set_tz_variable(cur: Any, tz: str) -> None:
    """``SET VARIABLE kansa_tz`` on a DuckDB cursor (Python-logic controls read it)."""
    cur.execute(f"SET VARIABLE {TZ_VARIABLE} = " + sql_literal(tz))


class RenderError(ValueError):
    pass


def sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMPTZ '{value.isoformat()}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise RenderError(f"cannot use {type(value).__name__} value {value!r} in SQL")


def placeholders(sql: str) -> set[str]:
    return set(_PLACEHOLDER.findall(sql))


def render_sql(sql: str, values: dict[str, Any]) -> str:
    """Replace every placeholder; a placeholder without a value is a :class:`RenderError`."""
    missing = placeholders(sql) - set(values)
    if missing:
        raise RenderError(f"no value for parameter(s) {sorted(missing)}")
    return _PLACEHOLDER.sub(lambda m: sql_literal(values[m.group(1)]), sql)
