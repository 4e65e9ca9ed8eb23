"""Assigning a finding to a person with an account: a control owner of the finding's unit.

The web app assigns only to accounts (``kansa users``): the assignee must be an enabled control
owner whose unit owns the finding, so the person answering is the person who sees it. The CLI's
``kansa findings assign --to`` still takes any name (a workspace without accounts).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kansa.appdb import Finding, Unit, User
from kansa.findings.recording import find
from kansa.findings.workflow import assign
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError

CONTROL_OWNER = "control_owner"


def owners_of(desk: Desk, unit: str) -> list[str]:
    """The enabled control owners of ``unit``, by name."""
    with desk.db.session() as s:
        return list(
            s.scalars(
                select(User.username)
                .join(Unit, Unit.id == User.unit_id)
                .where(Unit.name == unit, User.role == CONTROL_OWNER, User.disabled.is_(False))
                .order_by(User.username)
            )
        )


def unit_of_finding(f: Finding, control_owner: str) -> str:
    return f.owner or control_owner


def assign_to_owner(
    desk: Desk, finding_id: int, username: str, due: dt.date | None, control_owner: str
) -> Finding:
    """:func:`kansa.findings.assign` to ``username``, refused unless they own the finding's unit
    (``control_owner``: the catalog's owner of the control, for a finding with no unit yet)."""
    with desk.db.session() as s:
        unit = unit_of_finding(find(s, desk.workspace, finding_id), control_owner)
    if username not in owners_of(desk, unit):
        raise WorkflowError(
            tr(
                f"{username} is not a control owner of unit {unit}: assign the finding to one.",
                f"{username} は部署 {unit} の統制オーナーではありません。",
            )
        )
    return assign(desk, finding_id, username, due, unit)
