"""Reports filed in the vault (``kansa report``): the list and ledgered downloads.

A download is served only when the file still has the SHA-256 its ledger entry recorded, and
always as an attachment (an HTML report is never rendered inside the app's origin).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from kansa.vault import sha256_file
from kansa.web import queries, trail
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render

router = APIRouter(include_in_schema=False)

TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/reports", name="reports")
def reports(request: Request) -> Response:
    return render(request, "reports.html", rows=queries.reports(_ctx(request)))


@router.get("/reports/{seq}/download", name="report_download")
def report_download(request: Request, seq: int) -> Response:
    ctx, me = _ctx(request), _me(request)
    found = next((r for r in queries.reports(ctx) if r["seq"] == seq), None)
    if found is None:
        raise HTTPException(404, "no such report")
    path = ctx.vault.evidence_path(found["file"])
    if not path.is_file() or sha256_file(path) != found["sha256"]:
        raise HTTPException(409, "the report does not match its ledger hash: run `kansa verify`")
    trail.record(ctx.vault, me.username, "download_report", report_seq=seq, file=found["file"],
                 sha256=found["sha256"])  # fmt: skip
    suffix = path.suffix.lstrip(".")
    return FileResponse(path, media_type=TYPES.get(suffix, "application/octet-stream"),
                        filename=path.name, content_disposition_type="attachment")  # fmt: skip
