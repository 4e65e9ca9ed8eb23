"""An evidence request's steps on the ledger, and finding a request of the desk's workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import EvidenceRequest
from kansa.i18n import tr
from kansa.vault import LedgerEntry
from kansa.workflow import Desk, WorkflowError

KIND = "evidence_request"
OUTSTANDING, FULFILLED, CANCELLED = "outstanding", "fulfilled", "cancelled"


def record(
    desk: Desk,
    req: EvidenceRequest,
    action: str,
    details: dict[str, Any],
    files: dict[str, Path] | None = None,
) -> LedgerEntry:
    """The ledger entry of ``action`` on ``req`` (what is asked of whom, and by when)."""
    payload = {
        "action": action, "request_id": req.id, "contract": req.contract,
        "assignee": req.assignee, "unit": req.unit, "due": req.due_date.isoformat(),
        "state": req.state, **details,
    }  # fmt: skip
    return desk.ledger(KIND, payload, files)


def load(s: Session, desk: Desk, request_id: int) -> EvidenceRequest:
    req = s.scalars(
        select(EvidenceRequest)
        .where(EvidenceRequest.id == request_id, EvidenceRequest.workspace == desk.workspace)
        .with_for_update()
    ).one_or_none()
    if req is None:
        raise WorkflowError(
            tr(f"No evidence request {request_id}.", f"証跡依頼 {request_id} はありません。"),
            hint=tr("List them: `kansa requests list`.", "一覧: `kansa requests list`"),
        )
    return req


def require_outstanding(req: EvidenceRequest) -> None:
    if req.state != OUTSTANDING:
        raise WorkflowError(
            tr(
                f"Evidence request {req.id} is {req.state}.",
                f"証跡依頼 {req.id} は既に{'提出済' if req.state == FULFILLED else '取消済'}です。",
            )
        )
