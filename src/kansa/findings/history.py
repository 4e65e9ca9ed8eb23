"""A finding's whole story, in time order: what runs did to it and what people did to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kansa.appdb import Database, Finding, FindingAction, FindingEvent, Run
from kansa.findings.recording import find
from kansa.findings.states import OWED


@dataclass(frozen=True)
class Step:
    """One line of history: ``who`` is a person, or ``run RUN_ID`` for what a run did."""

    at: dt.datetime
    who: str
    what: str
    state: str
    details: dict[str, Any]
    ledger_seq: int | None
    ledger_hash: str | None


def _run_step(e: FindingEvent, run: Run) -> Step:
    details: dict[str, Any] = {"rating": e.rating, "exceptions": e.exception_count}
    if e.note:
        details["note"] = e.note
    return Step(e.at, f"run {e.run_id}", e.kind, "", details, run.ledger_seq, run.ledger_hash)


def _person_step(a: FindingAction) -> Step:
    return Step(a.at, a.actor, a.action, a.state, a.details, a.ledger_seq, a.ledger_hash)


def finding_history(db: Database, workspace: str, finding_id: int) -> list[Step]:
    """Every event and action of ``finding_id``, oldest first (ties: runs before people)."""
    with db.session() as s:
        find(s, workspace, finding_id)  # an unknown id is one clear error
        events = s.execute(
            select(FindingEvent, Run)
            .join(Run, Run.id == FindingEvent.run_id)
            .where(FindingEvent.finding_id == finding_id)
            .order_by(FindingEvent.id)
        ).all()
        actions = s.scalars(
            select(FindingAction)
            .where(FindingAction.finding_id == finding_id)
            .order_by(FindingAction.id)
        ).all()
    steps = [(_run_step(e, r), 0, i) for i, (e, r) in enumerate(events)]
    steps += [(_person_step(a), 1, i) for i, a in enumerate(actions)]
    return [step for step, _, _ in sorted(steps, key=lambda t: (t[0].at, t[1], t[2]))]


def overdue(db: Database, workspace: str, today: dt.date) -> list[Finding]:
    """Findings whose owner still owes work (open, answered, in remediation) past their due
    date, most overdue first."""
    with db.session() as s:
        return list(
            s.scalars(
                select(Finding)
                .where(
                    Finding.workspace == workspace,
                    Finding.state.in_(OWED),
                    Finding.due_date < today,
                )
                .options(selectinload(Finding.events))
                .order_by(Finding.due_date, Finding.id)
            )
        )
