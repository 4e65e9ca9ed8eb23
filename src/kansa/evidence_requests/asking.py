"""Asking for evidence, and withdrawing the request."""

from __future__ import annotations

import datetime as dt

from kansa.appdb import EvidenceRequest
from kansa.contracts import get_contract
from kansa.evidence_requests.records import (
    CANCELLED,
    OUTSTANDING,
    load,
    record,
    require_outstanding,
)
from kansa.findings.recording import require_text
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError
from kansa.workflow.units import units_of


def _what(contract: str, description: str) -> tuple[str, str]:
    contract, description = contract.strip(), description.strip()
    if bool(contract) == bool(description):
        raise WorkflowError(
            tr(
                "Ask for either a dataset (its contract name) or a document (a description).",
                "データセット（契約名）か文書（説明）のどちらか一方を指定してください。",
            )
        )
    if contract:
        get_contract(contract)  # an unknown dataset is refused, with the known ones
    return contract, description


def create_request(
    desk: Desk,
    assignee: str,
    due: dt.date,
    *,
    contract: str = "",
    description: str = "",
    unit: str = "",
) -> EvidenceRequest:
    """Ask ``assignee`` for a file by ``due`` (today or later): a dataset meeting ``contract``,
    or the document ``description`` describes. ``unit`` defaults to the assignee's unit."""
    who = require_text(assignee, "An assignee", "依頼先")
    contract, description = _what(contract, description)
    if due < desk.today:
        raise WorkflowError(
            tr(
                f"The due date {due} is before today ({desk.today}).",
                f"期限 {due} が今日（{desk.today}）より前です。",
            )
        )
    with desk.change("requested") as s:
        req = EvidenceRequest(
            workspace=desk.workspace, contract=contract, description=description,
            assignee=who, unit=unit.strip() or units_of(s, [who]).get(who, ""), due_date=due,
            requested_by=desk.actor, requested_at=desk.now, state=OUTSTANDING, fulfilled_by="",
            delivered={}, ledger_seq=0,
        )  # fmt: skip
        s.add(req)
        s.flush()
        entry = record(desk, req, "requested", {"description": description})
        req.ledger_seq = entry.seq
        return req


def cancel_request(desk: Desk, request_id: int, reason: str) -> EvidenceRequest:
    """Withdraw an outstanding request: by the person who asked, with a reason."""
    why = require_text(reason, "A reason", "理由")
    with desk.change("cancelled") as s:
        req = load(s, desk, request_id)
        require_outstanding(req)
        if desk.actor != req.requested_by:
            raise WorkflowError(
                tr(
                    f"Only {req.requested_by}, who asked, can withdraw request {req.id}.",
                    f"証跡依頼 {req.id} を取り消せるのは依頼者 {req.requested_by} のみです。",
                )
            )
        req.state = CANCELLED
        record(desk, req, "cancelled", {"reason": why})
        return req
