"""What is outstanding, for both sides: all requests, one person's or one unit's, and the due."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from kansa.appdb import Database, EvidenceRequest
from kansa.evidence_requests.records import OUTSTANDING


def list_requests(
    db: Database,
    workspace: str,
    *,
    outstanding: bool = False,
    person: str | None = None,
    unit: str | None = None,
) -> list[EvidenceRequest]:
    """Requests, soonest due first; ``person``/``unit``: those for them (either matches)."""
    query = select(EvidenceRequest).where(EvidenceRequest.workspace == workspace)
    if outstanding:
        query = query.where(EvidenceRequest.state == OUTSTANDING)
    if person is not None or unit is not None:
        query = query.where(
            or_(EvidenceRequest.assignee == (person or ""), EvidenceRequest.unit == (unit or "\0"))
        )
    with db.session() as s:
        return list(s.scalars(query.order_by(EvidenceRequest.due_date, EvidenceRequest.id)))


def due_requests(db: Database, workspace: str, today: dt.date) -> list[EvidenceRequest]:
    """Outstanding requests due today or overdue, most overdue first."""
    return [r for r in list_requests(db, workspace, outstanding=True) if r.due_date <= today]
