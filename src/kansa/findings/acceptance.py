"""Risk acceptance: management accepts a finding's risk, with a reason, until a date.

Only a name in ``[workflow] risk_acceptors`` may accept (:func:`kansa.workflow.require_acceptor`).
At the expiry the finding reopens: :func:`reopen_expired` runs whenever findings are read or
changed (``kansa findings``, every workflow step), so an expired acceptance never outlives the
first look at it, and the reopening is a ledger entry like any other step.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ScalarResult, select
from sqlalchemy.orm import Session

from kansa.appdb import Finding
from kansa.findings.recording import load, record, require_text
from kansa.findings.states import ACCEPTABLE, ACCEPTED, LABELS, OPEN
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError, require_acceptor


def _expired(s: Session, desk: Desk) -> ScalarResult[Finding]:
    return s.scalars(
        select(Finding)
        .where(
            Finding.workspace == desk.workspace,
            Finding.state == ACCEPTED,
            Finding.accepted_until <= desk.today,
        )
        .order_by(Finding.id)
    )


def reopen_expired_in(s: Session, desk: Desk) -> list[int]:
    """Reopen the desk's workspace's accepted findings whose acceptance ended; their ids."""
    expired = _expired(s, desk).all()
    for f in expired:
        until = f.accepted_until.isoformat() if f.accepted_until else ""
        f.state = OPEN
        record(s, desk, f, "acceptance_expired", {"accepted_until": until})
    return [f.id for f in expired]


def reopen_expired(desk: Desk) -> list[int]:
    """:func:`reopen_expired_in`, in its own transaction (for readers): the vault's writer lock
    is taken only when an acceptance did expire, so reading findings stays a read."""
    with desk.db.session() as s:
        if not _expired(s, desk).first():
            return []
    with desk.change("acceptance_expired") as s:
        return reopen_expired_in(s, desk)


def accept_risk(desk: Desk, finding_id: int, reason: str, until: dt.date) -> Finding:
    """Accept ``finding_id``'s risk until ``until`` (a later day): by an authorised person."""
    require_acceptor(desk.policy, desk.actor)
    why = require_text(reason, "A reason", "理由")
    if until <= desk.today:
        raise WorkflowError(
            tr(
                f"The acceptance must end after today ({desk.today}), not {until}.",
                f"受容期限は今日（{desk.today}）より後の日付にしてください（{until} は不可）。",
            )
        )
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("risk_accepted") as s:
        f = load(s, desk, finding_id)
        if f.state not in ACCEPTABLE:
            raise WorkflowError(
                tr(
                    f"Finding {f.id} is {LABELS[f.state][0]}: its risk cannot be accepted now.",
                    f"指摘事項 {f.id} は「{LABELS[f.state][1]}」のためリスク受容できません。",
                )
            )
        f.state, f.accepted_until, f.accepted_by = ACCEPTED, until, desk.actor
        record(s, desk, f, "risk_accepted", {"reason": why, "until": until.isoformat()})
        return f
