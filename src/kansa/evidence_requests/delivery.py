"""Delivering the evidence asked for: a dataset through ingest, a document into the vault.

A dataset file is validated against the request's contract by :func:`kansa.ingest.ingest_file`
(all-or-nothing: a file that breaks the contract raises :class:`kansa.ingest.InvalidData` with
each problem's file, line, column and expectation, and nothing is stored or marked). A document
is copied into the vault under ``requests/ID/SHA256.ext`` with its SHA-256 on the ledger. Only
the assignee, or a person of the request's unit, may deliver.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kansa.appdb import EvidenceRequest
from kansa.evidence_requests.records import FULFILLED, load, record, require_outstanding
from kansa.findings.discussion import _SUFFIX, _check_file
from kansa.i18n import tr
from kansa.vault import sha256_file
from kansa.workflow import Desk, WorkflowError
from kansa.workflow.units import units_of
from kansa.workspace import Workspace


def _may_deliver(desk: Desk, req: EvidenceRequest) -> None:
    with desk.db.session() as s:
        unit = units_of(s, [desk.actor]).get(desk.actor)
    if desk.actor != req.assignee and not (req.unit and unit == req.unit):
        raise WorkflowError(
            tr(
                f"Evidence request {req.id} is for {req.assignee} ({req.unit or '-'}): "
                f"{desk.actor} cannot deliver it.",
                f"証跡依頼 {req.id} の依頼先は {req.assignee}（{req.unit or '-'}）です。"
                f"{desk.actor} は提出できません。",
            )
        )


def _check(desk: Desk, request_id: int) -> EvidenceRequest:
    with desk.db.session() as s:
        req = load(s, desk, request_id)
        require_outstanding(req)
    _may_deliver(desk, req)
    return req


def _ingest(workspace: Workspace, contract: str, path: Path) -> dict[str, Any]:
    from kansa.ingest import ingest_file  # the ingest pipeline needs DuckDB: loaded on use

    snap = ingest_file(workspace, contract, path, progress=False)
    return {"kind": "dataset", "dataset": snap.dataset, "rows": snap.rows, "sha256": snap.sha256,
            "snapshot_seq": snap.seq, "name": path.name}  # fmt: skip


def _document(
    desk: Desk, req: EvidenceRequest, path: Path, staging: Path, shown: str
) -> dict[str, Any]:
    size = _check_file(path)
    staged = staging / "document"
    shutil.copyfile(path, staged, follow_symlinks=False)
    digest = sha256_file(staged)
    suffix = Path(shown).suffix
    rel = f"requests/{req.id}/{digest}{suffix if _SUFFIX.fullmatch(suffix) else ''}"
    return {"kind": "document", "name": shown, "sha256": digest, "size": size, "path": rel,
            "staged": staged}  # fmt: skip


def fulfil_request(
    desk: Desk, workspace: Workspace, request_id: int, path: Path, name: str | None = None
) -> EvidenceRequest:
    """Deliver ``path`` for ``request_id`` (``name``: the file's name as the user gave it)."""
    req = _check(desk, request_id)
    shown = name or path.name
    with ExitStack() as stack:
        files: dict[str, Path] = {}
        if req.contract:
            delivered = _ingest(workspace, req.contract, path)  # refuses, storing nothing
            delivered["name"] = shown
        else:
            staging = stack.enter_context(desk.vault.staging())
            delivered = _document(desk, req, path, staging, shown)
            files = {delivered["path"]: delivered.pop("staged")}
        with desk.change("fulfilled") as s:
            req = load(s, desk, request_id)
            require_outstanding(req)
            req.state, req.fulfilled_by, req.fulfilled_at = FULFILLED, desk.actor, desk.now
            req.delivered = delivered
            record(desk, req, "fulfilled", delivered, files or None)
            return req
