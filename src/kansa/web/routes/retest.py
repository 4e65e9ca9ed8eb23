"""Retesting a finding on the web: a run of its control now, and its verdict on the page.

The same function as ``kansa findings retest`` (:func:`kansa.findings.retest.retest`), acting
as the signed-in user: the run's ledger entry names them, its findings move as any run moves
them (a passing complete run makes the finding ready for a reviewer to close), and a material
weakness it opens is notified at once. Parameter overrides (``name=value`` lines) are recorded
in the run like ``--param``. A refused retest (a closed finding, an unknown parameter) changes
nothing and says why (409).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kansa.errors import KansaError
from kansa.findings.retest import Retest, parse_overrides, retest
from kansa.notify.at_once import announce_run
from kansa.web.desk import desk_for
from kansa.web.finding_view import page_data, visible_finding
from kansa.web.routes.auth import _ctx, _me
from kansa.web.routes.findings_desk import Fields, RowId, _fields, text
from kansa.web.templating import render
from kansa.web.trail import LedgerUnavailable

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])


def _retest(request: Request, finding_id: int, fields: Fields) -> Retest:
    ctx, me = _ctx(request), _me(request)
    visible_finding(ctx, me, finding_id)  # 404 outside the caller's sight
    desk = desk_for(ctx, me)
    done = retest(desk, ctx.workspace, ctx.catalog, finding_id,
                  parse_overrides(text(fields, "parameters").splitlines()))  # fmt: skip
    announce_run(desk, ctx.workspace, ctx.catalog, done.changes)
    return done


@router.post("/findings/{finding_id}/retest", name="finding_retest")
async def finding_retest(request: Request, finding_id: RowId) -> Response:
    fields = await _fields(request)
    try:
        done = await run_in_threadpool(_retest, request, finding_id, fields)
    except LedgerUnavailable:
        raise
    except KansaError as exc:
        ctx, me = _ctx(request), _me(request)
        view = visible_finding(ctx, me, finding_id)
        return render(request, "finding.html", status=409, error=exc.message,
                      **page_data(ctx, me, view))  # fmt: skip
    return RedirectResponse(f"/findings/{finding_id}?run={done.run_id}", status_code=303)


@api_router.post("/findings/{finding_id}/retest", name="api_finding_retest",
                 summary="Finding workflow: retest (run its control now)")  # fmt: skip
async def api_finding_retest(request: Request, finding_id: RowId) -> dict[str, Any]:
    from fastapi import HTTPException

    fields = await _fields(request)
    try:
        done = await run_in_threadpool(_retest, request, finding_id, fields)
    except LedgerUnavailable:
        raise
    except KansaError as exc:
        raise HTTPException(409, exc.message) from None
    return {"run_id": done.run_id, "ledger_seq": done.ledger_seq, "status": done.status,
            "exception_count": done.exception_count, "state": done.finding.state}  # fmt: skip
