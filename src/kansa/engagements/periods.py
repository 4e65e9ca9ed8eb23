"""Audit periods: checking one, and the next one of the same shape (roll-forward).

A period of whole months (first day to last day of a month) moves by its number of months, so
2026-01-01..2026-12-31 becomes 2027-01-01..2027-12-31 and a quarter the next quarter; any other
period moves by its length in days. The 基準日 (as-of date) keeps its place: the same number of
months (or days) later.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from kansa.i18n import tr
from kansa.workflow import WorkflowError


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    as_of: dt.date


def checked(start: dt.date, end: dt.date, as_of: dt.date | None) -> Period:
    """The period, refused when it runs backwards or the as-of date lies outside it."""
    if end < start:
        raise WorkflowError(
            tr(
                f"The period ends ({end}) before it starts ({start}).",
                f"期間の終了日 {end} が開始日 {start} より前です。",
            )
        )
    day = as_of or end
    if not start <= day <= end:
        raise WorkflowError(
            tr(
                f"The as-of date {day} is outside the period {start}..{end}.",
                f"基準日 {day} が監査対象期間 {start}〜{end} の外です。",
            )
        )
    return Period(start, end, day)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(day: dt.date, months: int, *, month_end: bool) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _last_day(year, month + 1)
    return dt.date(year, month + 1, last if month_end else min(day.day, last))


def _whole_months(p: Period) -> int | None:
    if p.start.day != 1 or p.end.day != _last_day(p.end.year, p.end.month):
        return None
    return (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1


def next_period(p: Period) -> Period:
    months = _whole_months(p)
    if months is not None:
        as_of_end = p.as_of.day == _last_day(p.as_of.year, p.as_of.month)
        return Period(
            _add_months(p.start, months, month_end=False),
            _add_months(p.end, months, month_end=True),
            _add_months(p.as_of, months, month_end=as_of_end),
        )
    step = p.end - p.start + dt.timedelta(days=1)
    return Period(p.start + step, p.end + step, p.as_of + step)
