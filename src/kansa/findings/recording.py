"""Every person's step on a finding: a ``finding`` ledger entry plus a row in the app database.

The ledger entry (kind ``finding``) names the actor, the finding, the action and its details, so
``kansa verify`` covers who did what; the ``finding_actions`` row keeps the same facts with the
entry's position and hash, for the finding's history. The row is written in the caller's
database transaction after the entry is appended: a refused step changes neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import Finding, FindingAction
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError

KIND = "finding"


def load(s: Session, desk: Desk, finding_id: int) -> Finding:
    """The finding ``finding_id`` of the desk's workspace, locked for this transaction."""
    return find(s, desk.workspace, finding_id, lock=True)


def find(s: Session, workspace: str, finding_id: int, *, lock: bool = False) -> Finding:
    """The finding ``finding_id`` of ``workspace`` (``lock``: for update), or a clear error."""
    query = select(Finding).where(Finding.id == finding_id, Finding.workspace == workspace)
    f = s.scalars(query.with_for_update() if lock else query).one_or_none()
    if f is None:
        raise WorkflowError(
            tr(
                f"No finding {finding_id} in this workspace.",
                f"指摘事項 {finding_id} はありません。",
            ),
            hint=tr("List them: `kansa findings`.", "一覧: `kansa findings`"),
        )
    return f


def record(
    s: Session,
    desk: Desk,
    f: Finding,
    action: str,
    details: dict[str, Any],
    files: dict[str, Path] | None = None,
) -> FindingAction:
    """Append the ledger entry for ``action`` on ``f`` (its state already moved), then the row."""
    entry = desk.ledger(
        KIND,
        {
            "action": action,
            "finding_id": f.id,
            "control_id": f.control_id,
            "scope": f.scope,
            "state": f.state,
            **details,
        },
        files,
    )
    row = FindingAction(
        finding_id=f.id,
        at=desk.now,
        actor=desk.actor,
        action=action,
        state=f.state,
        details=details,
        ledger_seq=entry.seq,
        ledger_hash=entry.hash,
    )
    s.add(row)
    return row


def actors_of(s: Session, f: Finding, actions: tuple[str, ...]) -> set[str]:
    """Who did any of ``actions`` on ``f`` (management's side, for segregation checks)."""
    return set(
        s.scalars(
            select(FindingAction.actor).where(
                FindingAction.finding_id == f.id, FindingAction.action.in_(actions)
            )
        )
    )


def require_text(value: str, en: str, ja: str) -> str:
    """``value`` stripped, refused when empty (a reason, a response, a plan...)."""
    text = value.strip()
    if not text:
        raise WorkflowError(tr(f"{en} is required.", f"{ja}を入力してください。"))
    return text
