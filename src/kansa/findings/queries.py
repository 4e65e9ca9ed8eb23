"""Reading findings back (for ``kansa findings`` and reports)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kansa.appdb import Database, Finding


def list_findings(
    db: Database, workspace: str, *, status: str | None = None, control_id: str | None = None
) -> list[Finding]:
    """Findings of ``workspace``, newest first, with their events loaded."""
    query = (
        select(Finding)
        .where(Finding.workspace == workspace)
        .options(selectinload(Finding.events))
        .order_by(Finding.id.desc())
    )
    if status:
        query = query.where(Finding.status == status)
    if control_id:
        query = query.where(Finding.control_id == control_id)
    with db.session() as s:
        return list(s.scalars(query))


def run_ids(finding: Finding) -> list[str]:
    """The runs that touched ``finding``, in order (events must be loaded)."""
    seen: list[str] = []
    for e in finding.events:
        if e.run_id not in seen:
            seen.append(e.run_id)
    return seen
