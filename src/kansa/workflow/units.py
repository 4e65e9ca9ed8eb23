"""Independence by unit: an auditor never reviews their own unit's work.

A person's unit is the unit of their user account (``kansa users add --unit``, the same table the
web app signs in from), so the CLI and the web app enforce one rule from one directory. A name
with no account, or an account with no unit, belongs to no unit and this rule does not bind it
(the preparer/reviewer rules still do). The "work" of an item is the unit of whoever produced or
prepared it; the work of a finding is also the unit that owns it (IIA Standard 1130.A1: internal
auditors refrain from assessing operations for which they were responsible).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import Unit, User
from kansa.i18n import tr
from kansa.workflow.policy import WorkflowError


def units_of(s: Session, names: Iterable[str]) -> dict[str, str]:
    """Person name -> unit name, for the names that have an account with a unit."""
    wanted = {n for n in names if n}
    if not wanted:
        return {}
    rows = s.execute(
        select(User.username, Unit.name)
        .join(Unit, Unit.id == User.unit_id)
        .where(User.username.in_(wanted))
    )
    return {name: unit for name, unit in rows}


def require_other_unit(
    s: Session, reviewer: str, workers: Iterable[str], label: str, owner_unit: str = ""
) -> None:
    """Refuse ``reviewer`` when their unit is the unit of any of ``workers`` or ``owner_unit``."""
    people = set(workers)
    units = units_of(s, people | {reviewer})
    mine = units.get(reviewer)
    if mine is None:
        return
    theirs = {units[p] for p in people if p in units and p != reviewer}
    if owner_unit:
        theirs.add(owner_unit)
    if mine in theirs:
        raise WorkflowError(
            tr(
                f"{reviewer} belongs to unit {mine}, whose work {label} is: an auditor never "
                "reviews their own unit's work.",
                f"{reviewer} は {label} を担当した部署 {mine} の所属です。自部署の作業は"
                "レビューできません。",
            )
        )
