"""What is due to be told, and to whom: one :class:`Notice` per event, keyed so it goes once.

* ``material_weakness``: an open finding rated material weakness -> the audit managers and the
  control owners of its unit (key: the finding);
* ``finding_due``: an owed finding due within ``due_soon_days`` -> its assignee (key: finding
  and due date); ``finding_overdue``: past due -> the assignee and the audit managers, once a
  day (the daily escalation);
* ``review_request``: an item whose preparer's sign-off is valid and has no valid review -> the
  reviewers (key: the preparer's sign-off);
* ``evidence_request``: an outstanding request -> its assignee (key: the request); overdue ->
  the assignee and who asked, once a day.

People are named as the app knows them (user names, or the names used with ``kansa``). The
facts carried are ids, control ids and titles, ratings, units, dates: never a finding's scope
(it can hold a customer identifier), exception rows or any secret.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from kansa.appdb import Database, Finding, Unit, User
from kansa.controls.model import Control
from kansa.evidence_requests import list_requests
from kansa.findings.states import OWED
from kansa.signoff import signoff_status
from kansa.vault import Vault

AUDIT_MANAGER, REVIEWER, CONTROL_OWNER = "audit_manager", "reviewer", "control_owner"


@dataclass(frozen=True)
class Notice:
    key: str
    event: str
    recipients: tuple[str, ...]
    facts: dict[str, Any] = field(default_factory=dict)


class People:
    """Who holds a role, or owns a unit, among the enabled accounts."""

    def __init__(self, db: Database) -> None:
        with db.session() as s:
            rows = s.execute(
                select(User.username, User.role, Unit.name)
                .outerjoin(Unit, Unit.id == User.unit_id)
                .where(User.disabled.is_(False))
            )
            self.rows = [(n, r, u) for n, r, u in rows]

    def with_role(self, role: str) -> list[str]:
        return sorted(n for n, r, _ in self.rows if r == role)

    def owners_of(self, unit: str) -> list[str]:
        return sorted(n for n, r, u in self.rows if r == CONTROL_OWNER and u == unit)


def _names(*groups: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for g in groups:
        for n in [g] if isinstance(g, str) else g:
            if n:
                seen[n] = None
    return tuple(seen)


def _finding_facts(f: Finding, catalog: dict[str, Control]) -> dict[str, Any]:
    c = catalog.get(f.control_id)
    return {
        "finding_id": f.id, "control_id": f.control_id,
        "control_title": {"en": c.title.en, "ja": c.title.ja} if c else {},
        "rating": f.rating, "state": f.state, "unit": f.owner or (c.owner if c else ""),
        "due": f.due_date.isoformat() if f.due_date else None, "path": f"/findings/{f.id}",
    }  # fmt: skip


def finding_notices(
    db: Database, workspace: str, catalog: dict[str, Control], today: dt.date, soon: int
) -> list[Notice]:
    people = People(db)
    managers = people.with_role(AUDIT_MANAGER)
    with db.session() as s:
        rows = list(
            s.scalars(
                select(Finding).where(Finding.workspace == workspace, Finding.status == "open")
            )
        )
    out: list[Notice] = []
    for f in sorted(rows, key=lambda f: f.id):
        facts = _finding_facts(f, catalog)
        if f.rating == "material_weakness":
            owners = people.owners_of(facts["unit"])
            out.append(Notice(f"material_weakness:{f.id}", "material_weakness",
                              _names(managers, owners), facts))  # fmt: skip
        if f.due_date is None or f.state not in OWED:
            continue
        if f.due_date < today:
            facts = {**facts, "days_overdue": (today - f.due_date).days}
            out.append(Notice(f"finding_overdue:{f.id}:{today}", "finding_overdue",
                              _names(f.assignee, managers), facts))  # fmt: skip
        elif (f.due_date - today).days <= soon:
            out.append(Notice(f"finding_due:{f.id}:{f.due_date}", "finding_due",
                              _names(f.assignee), facts))  # fmt: skip
    return out


def review_notices(db: Database, vault: Vault, workspace: str) -> list[Notice]:
    reviewers = People(db).with_role(REVIEWER)
    out = []
    for st in signoff_status(db, vault, workspace):
        prep, rev = st.preparer, st.reviewer
        if prep is None or not prep.valid or (rev is not None and rev.valid):
            continue
        facts = {"item": st.item.label, "item_seq": st.item.seq, "preparer": prep.signoff.actor,
                 "open_notes": len(st.open_notes), "path": "/signoffs"}  # fmt: skip
        out.append(Notice(f"review_request:{prep.signoff.ledger_seq}", "review_request",
                          _names(reviewers), facts))  # fmt: skip
    return out


def evidence_notices(db: Database, workspace: str, today: dt.date) -> list[Notice]:
    out = []
    for r in list_requests(db, workspace, outstanding=True):
        facts = {"request_id": r.id, "contract": r.contract, "description": r.description,
                 "unit": r.unit, "due": r.due_date.isoformat(), "requested_by": r.requested_by,
                 "path": "/requests"}  # fmt: skip
        out.append(Notice(f"evidence_request:{r.id}", "evidence_request", (r.assignee,), facts))
        if r.due_date < today:
            facts = {**facts, "days_overdue": (today - r.due_date).days}
            out.append(Notice(f"evidence_overdue:{r.id}:{today}", "evidence_overdue",
                              _names(r.assignee, r.requested_by), facts))  # fmt: skip
    return out


def due_notices(
    db: Database, vault: Vault, workspace: str, catalog: dict[str, Control], today: dt.date,
    soon: int,
) -> list[Notice]:  # fmt: skip
    """Every notice due today, in a stable order."""
    return [
        *finding_notices(db, workspace, catalog, today, soon),
        *review_notices(db, vault, workspace),
        *evidence_notices(db, workspace, today),
    ]
