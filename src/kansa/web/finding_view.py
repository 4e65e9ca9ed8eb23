"""A finding as the web app shows it: found within the caller's unit, with its story.

A control owner sees (and answers) only findings of their unit: a finding's unit is the unit it
was assigned to, else the owner of its control in the catalog. Anything else is a 404, as for a
control outside their unit (no oracle). Overdue findings (:func:`kansa.findings.overdue`) are
escalated on the overview, to everyone who can see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select

from kansa.appdb import ControlResult, Finding, Run
from kansa.controls.model import Control
from kansa.errors import KansaError
from kansa.findings import RATINGS, STATE_LABELS, Step, finding_history, overdue, reopen_expired
from kansa.findings.owners import owners_of, unit_of_finding
from kansa.findings.recording import find
from kansa.findings.states import MOVES
from kansa.web.context import AppContext
from kansa.web.desk import desk_for
from kansa.web.principal import Principal, scope_of
from kansa.web.roles import CONTROL_OWNER


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    control: Control | None
    unit: str

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        keys = ("id", "control_id", "scope", "status", "state", "rating", "severity", "repeat",
                "assignee", "due_date", "response", "action_plan", "proposed_rating",
                "proposed_reason", "proposed_by", "accepted_until", "accepted_by",
                "retest_run_id", "closed_by", "closed_at", "first_seen_at", "last_seen_at",
                "exception_count")  # fmt: skip
        out = {k: getattr(f, k) for k in keys}
        out["unit"] = self.unit
        return {k: v if v is None or isinstance(v, str | int | bool) else str(v)
                for k, v in out.items()}  # fmt: skip


def _unit(ctx: AppContext, f: Finding) -> str:
    c = ctx.catalog.get(f.control_id)
    return unit_of_finding(f, c.owner if c else "")


def may_see(ctx: AppContext, who: Principal, f: Finding) -> bool:
    return who.role != CONTROL_OWNER or _unit(ctx, f) == who.unit


def visible_finding(ctx: AppContext, who: Principal, finding_id: int) -> FindingView:
    """The finding, or 404 (also outside a control owner's unit)."""
    reopen_expired(desk_for(ctx, who))  # an expired acceptance never outlives a look at it
    try:
        with ctx.db.session() as s:
            f = find(s, ctx.workspace.config.name, finding_id)
    except KansaError:
        raise HTTPException(404, "no such finding") from None
    if not may_see(ctx, who, f):
        raise HTTPException(404, "no such finding")
    return FindingView(f, ctx.catalog.get(f.control_id), _unit(ctx, f))


def run_result(ctx: AppContext, view: FindingView, run_id: str | None) -> ControlResult | None:
    """The finding's control in run ``run_id`` (a retest just made), or None."""
    if not run_id:
        return None
    with ctx.db.session() as s:
        return s.scalars(
            select(ControlResult)
            .join(Run)
            .where(
                ControlResult.run_id == run_id[:64],
                ControlResult.control_id == view.finding.control_id,
                Run.workspace == ctx.workspace.config.name,
            )
        ).one_or_none()


def page_data(
    ctx: AppContext, who: Principal, view: FindingView, run_id: str | None = None
) -> dict[str, Any]:
    desk = desk_for(ctx, who)
    steps: list[Step] = finding_history(ctx.db, desk.workspace, view.finding.id)
    return {
        "v": view,
        "f": view.finding,
        "steps": steps,
        "owners": owners_of(desk, view.unit),
        "moves": sorted(MOVES.get(view.finding.state, frozenset())),
        "state_labels": STATE_LABELS,
        "ratings": RATINGS,
        "retested": run_result(ctx, view, run_id),
    }


def overdue_for(ctx: AppContext, who: Principal) -> list[tuple[Finding, int]]:
    """Overdue findings the caller may see, with days overdue, most overdue first (kept per
    scope and day until a finding changes, :mod:`kansa.web.memo`)."""
    today = dt.datetime.now(dt.UTC).date()  # a desk's today (kansa.workflow.Desk)
    return ctx.memo.get(("overdue", scope_of(who), today), lambda: _overdue(ctx, who, today))


def _overdue(ctx: AppContext, who: Principal, today: dt.date) -> list[tuple[Finding, int]]:
    rows = overdue(ctx.db, ctx.workspace.config.name, today)
    return [
        (f, (today - f.due_date).days)
        for f in rows
        if f.due_date is not None and may_see(ctx, who, f)
    ]
