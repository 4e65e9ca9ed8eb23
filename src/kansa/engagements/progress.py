"""An engagement's progress: status, hours, the overall opinion; and rolling it forward to the
next period (same scope, team, programme and budget; no items, no opinion, status planned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select

from kansa.appdb import Engagement
from kansa.controls.model import Control
from kansa.engagements.periods import Period, next_period
from kansa.engagements.plan import STATUSES, EngagementSpec, add_engagement, get_engagement
from kansa.engagements.records import record
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError


def update_engagement(
    desk: Desk,
    code: str,
    *,
    status: str | None = None,
    hours_actual: float | None = None,
    hours_budget: float | None = None,
    opinion: str | None = None,
) -> Engagement:
    """Change what was given (one ledger entry naming the old and new values)."""
    if status is not None and status not in STATUSES:
        raise WorkflowError(
            tr(
                f"Unknown status {status!r}: use {', '.join(STATUSES)}.",
                f"状態 {status!r} は使えません（{', '.join(STATUSES)}）。",
            )
        )
    for label, hours in (("hours_actual", hours_actual), ("hours_budget", hours_budget)):
        if hours is not None and hours < 0:
            raise WorkflowError(tr(f"{label} cannot be negative.", f"{label} は負にできません。"))
    wanted = {
        "status": status,
        "hours_actual": hours_actual,
        "hours_budget": hours_budget,
        "opinion": opinion.strip() if opinion is not None else None,
    }
    changes = {k: v for k, v in wanted.items() if v is not None}
    if not changes:
        raise WorkflowError(tr("Nothing to change.", "変更する項目がありません。"))
    get_engagement(desk, code)
    with desk.db.session() as s:
        row = s.scalars(
            select(Engagement).where(
                Engagement.workspace == desk.workspace, Engagement.code == code
            )
        ).one()
        before = {k: getattr(row, k) for k in changes}
        entry = record(desk, "engagement_updated", code=code, before=before, after=changes)
        for k, v in changes.items():
            setattr(row, k, v)
        row.ledger_seq = entry.seq
        s.flush()
        s.expunge(row)
        return row


def _next_code(old: Engagement, start: dt.date) -> str:
    """Last year's code with the new year (2026-CUSTODY -> 2027-CUSTODY); within the same year
    (a quarter), the old code and the new period's first day."""
    year = str(old.year)
    if year in old.code and start.year != old.year:
        return old.code.replace(year, str(start.year))
    return f"{old.code}-{start:%Y%m%d}"


def roll_forward(
    desk: Desk, catalog: Mapping[str, Control], code: str, new_code: str | None = None
) -> Engagement:
    """The same engagement for the next period (see :mod:`kansa.engagements.periods`)."""
    old = get_engagement(desk, code)
    p = next_period(Period(old.period_start, old.period_end, old.as_of))
    spec = EngagementSpec(
        code=new_code or _next_code(old, p.start),
        title=old.title,
        scope=list(old.scope),
        period_start=p.start,
        period_end=p.end,
        as_of=p.as_of,
        lead=old.lead,
        purpose=old.purpose,
        team=list(old.team),
        controls=list(old.controls),
        analytics=list(old.analytics),
        hours_budget=old.hours_budget,
        risk_score=old.risk_score,
    )
    return add_engagement(desk, catalog, spec, rolled_from=old.id)
