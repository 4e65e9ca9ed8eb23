"""Dates and times in the formats an export uses (``2026/11/01``, ``2026年11月1日``,
``2026/11/01 9:05``), turned into the ISO text the contract checks read, in SQL.

Formats are DuckDB ``strptime`` formats (https://duckdb.org/docs/sql/functions/dateformat),
tried in the order given; ``ISO`` accepts ISO 8601 as written. A non-empty value that matches
none is an error naming the line, never a NULL (``try_strptime`` alone turns a typo into a
missing date, and a missing leaving date into an active employee). A value with no offset stays
naive here; the contract check reads it in the mapping's, else the workspace's, time zone. A
date column accepts a format with a time only when the time is midnight (a time of day would
otherwise be dropped without a word).
"""

from __future__ import annotations

import re

from kansa.errors import ConfigError
from kansa.i18n import tr
from kansa.ingest.checks import DATE_RE, NAIVE_TS_RE, ZONED_TS_RE
from kansa.ingest.engine import quote_literal
from kansa.ingest.fullwidth import folded
from kansa.ingest.staged import Staged

ISO = "ISO"
# the specifiers DuckDB's strptime knows (dateformat docs above), with optional '-' (no padding)
_DIRECTIVE = re.compile(r"%(-?[aAwdbBmyYHIpMSfgnzZjUWcxX]|%)")


def check_format(fmt: str, where: str) -> None:
    """A format DuckDB can read, or a :class:`ConfigError` naming it (before any row is read)."""
    if fmt.upper() == ISO:
        return
    rest = _DIRECTIVE.sub("", fmt)
    if "%" in rest or not _DIRECTIVE.search(fmt):
        raise ConfigError(
            tr(
                f"{where}: {fmt!r} is not a date/time format (use %Y %m %d %H %M %S ..., or ISO)",
                f"{where}: {fmt!r} は日付・時刻の書式ではありません（%Y %m %d %H %M %S など、または ISO）",
            )
        )


def _zoned(fmt: str) -> bool:
    return "%z" in fmt or "%Z" in fmt


def _one(x: str, fmt: str, kind: str) -> str:
    """SQL: the ISO text of ``x`` read with ``fmt``, or NULL."""
    if fmt.upper() == ISO:
        if kind == "date":
            ok = f"regexp_full_match({x}, {quote_literal(DATE_RE)}) AND TRY_CAST({x} AS DATE) IS NOT NULL"
        else:
            ok = (
                f"(regexp_full_match({x}, {quote_literal(ZONED_TS_RE)}) AND TRY_CAST({x} AS TIMESTAMPTZ) IS NOT NULL) "
                f"OR (regexp_full_match({x}, {quote_literal(NAIVE_TS_RE)}) AND TRY_CAST({x} AS TIMESTAMP) IS NOT NULL)"
            )
        return f"CASE WHEN {ok} THEN {x} END"
    parsed = f"try_strptime({x}, {quote_literal(fmt)})"
    if kind == "date":
        naive = f"CAST({parsed} AS TIMESTAMP)" if _zoned(fmt) else parsed
        return (
            f"CASE WHEN CAST({naive} AS TIME) = TIME '00:00:00' "
            f"THEN strftime(CAST({naive} AS DATE), '%Y-%m-%d') END"
        )
    if _zoned(fmt):  # an instant: written in UTC (the session's zone) with its offset
        return f"strftime({parsed}, '%Y-%m-%dT%H:%M:%S.%f+00:00')"
    return f"strftime({parsed}, '%Y-%m-%d %H:%M:%S.%f')"


def parsed(raw: str, formats: tuple[str, ...], kind: str, prefix: str) -> Staged:
    """ISO text of the column ``raw``; ``'format'`` when a non-empty value matches no format."""
    x, v = f"{prefix}x", f"{prefix}v"
    tries = [_one(x, f, kind) for f in formats]
    read = tries[0] if len(tries) == 1 else f"coalesce({', '.join(tries)})"
    # DuckDB's strptime reads year 0 (e.g. 0/1/1), which no calendar export means and Python
    # refuses: such a value is a format error, never a date (found by a Hypothesis draw)
    value = f"CASE WHEN NOT starts_with({read}, '0000') THEN {read} END"
    return Staged(
        (((x, folded(raw)),), ((v, value),)),
        v,
        f"CASE WHEN {x} IS NOT NULL AND {v} IS NULL THEN 'format' END",
    )
