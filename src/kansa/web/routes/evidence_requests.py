"""Evidence requests on the web: auditors ask, control owners upload, both see what is
outstanding. A dataset upload goes through ingest (its contract, all-or-nothing) and a refused
file shows each problem (line, column, value, what was expected); a document goes into the vault
hashed. All of it is :mod:`kansa.evidence_requests`, as ``kansa requests``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kansa.appdb import EvidenceRequest, Unit, User
from kansa.contracts import load_contracts
from kansa.errors import KansaError
from kansa.evidence_requests import cancel_request, create_request, fulfil_request, list_requests
from kansa.ingest import InvalidData, Problem
from kansa.notify.at_once import announce_request
from kansa.web.context import AppContext
from kansa.web.desk import desk_for
from kansa.web.principal import Principal
from kansa.web.roles import CONTROL_OWNER
from kansa.web.routes.auth import _ctx, _me
from kansa.web.routes.findings_desk import Fields, RowId, _fields, day, text
from kansa.web.templating import render
from kansa.web.uploads import uploaded_file
from kansa.workflow.ledger_first import LedgerUnavailable

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])


def visible_requests(ctx: AppContext, who: Principal, every: bool) -> list[EvidenceRequest]:
    """A control owner's own and their unit's requests; everyone's for the audit roles."""
    ws = ctx.workspace.config.name
    if who.role == CONTROL_OWNER:
        return list_requests(ctx.db, ws, outstanding=not every, person=who.username, unit=who.unit)
    return list_requests(ctx.db, ws, outstanding=not every)


def _visible(ctx: AppContext, who: Principal, request_id: RowId) -> EvidenceRequest:
    found = [r for r in visible_requests(ctx, who, True) if r.id == request_id]
    if not found:
        raise HTTPException(404, "no such evidence request")
    return found[0]


def _owners(ctx: AppContext) -> list[tuple[str, str]]:
    from sqlalchemy import select

    with ctx.db.session() as s:
        rows = s.execute(
            select(User.username, Unit.name)
            .join(Unit, Unit.id == User.unit_id)
            .where(User.role == CONTROL_OWNER, User.disabled.is_(False))
            .order_by(Unit.name, User.username)
        )
        return [(u, n) for u, n in rows]


def as_json(r: EvidenceRequest) -> dict[str, Any]:
    keys = ("id", "contract", "description", "assignee", "unit", "due_date", "requested_by",
            "requested_at", "state", "fulfilled_by", "fulfilled_at", "ledger_seq")  # fmt: skip
    out = {k: getattr(r, k) for k in keys}
    out = {k: v if v is None or isinstance(v, str | int) else str(v) for k, v in out.items()}
    return {**out, "delivered": r.delivered}


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    ctx, me = _ctx(request), _me(request)
    every = request.query_params.get("all") == "1"
    rows = visible_requests(ctx, me, every)
    return render(request, "requests.html", status=status, rows=rows, every=every,
                  owners=_owners(ctx), contracts=sorted(load_contracts()),
                  today=desk_for(ctx, me).today, **extra)  # fmt: skip


def _create(request: Request, fields: Fields) -> EvidenceRequest:
    ctx, me = _ctx(request), _me(request)
    due = day(fields, "due", required=True)
    assert due is not None
    desk = desk_for(ctx, me)
    made = create_request(desk, text(fields, "assignee"), due, contract=text(fields, "contract"),
                          description=text(fields, "description"))  # fmt: skip
    announce_request(desk, ctx.workspace, made.id)  # the person asked is told at once
    return made


def _fulfil(request: Request, request_id: int, fields: Fields) -> EvidenceRequest:
    ctx, me = _ctx(request), _me(request)
    _visible(ctx, me, request_id)
    with uploaded_file(fields, "file: choose the file to upload", "uploads") as path:
        return fulfil_request(desk_for(ctx, me), ctx.workspace, request_id, path, path.name)


def _cancel(request: Request, request_id: int, fields: Fields) -> EvidenceRequest:
    ctx, me = _ctx(request), _me(request)
    _visible(ctx, me, request_id)
    return cancel_request(desk_for(ctx, me), request_id, text(fields, "reason"))


def _problems(exc: InvalidData) -> list[Problem]:
    return list(exc.problems)


async def _page_call(
    request: Request, call: Callable[..., EvidenceRequest], *args: Any
) -> Response:
    fields = await _fields(request)
    try:
        await run_in_threadpool(call, request, *args, fields)
    except InvalidData as exc:
        return _page(request, 422, error=exc.message.splitlines()[0], problems=_problems(exc),
                     more=exc.total - len(exc.problems))  # fmt: skip
    except LedgerUnavailable:  # nothing was changed: the app answers 503
        raise
    except KansaError as exc:
        return _page(request, 409, error=exc.message)
    return RedirectResponse("/requests", status_code=303)


async def _api_call(
    request: Request, call: Callable[..., EvidenceRequest], *args: Any
) -> dict[str, Any]:
    fields = await _fields(request)
    try:
        r = await run_in_threadpool(call, request, *args, fields)
    except InvalidData as exc:
        raise HTTPException(422, exc.to_json()) from None
    except LedgerUnavailable:  # nothing was changed: the app answers 503
        raise
    except KansaError as exc:
        raise HTTPException(409, exc.message) from None
    return as_json(r)


@router.get("/requests", name="requests")
def requests_page(request: Request) -> Response:
    return _page(request)


@router.post("/requests", name="request_create")
async def request_create(request: Request) -> Response:
    return await _page_call(request, _create)


@router.post("/requests/{request_id}/fulfil", name="request_fulfil")
async def request_fulfil(request: Request, request_id: RowId) -> Response:
    return await _page_call(request, _fulfil, request_id)


@router.post("/requests/{request_id}/cancel", name="request_cancel")
async def request_cancel(request: Request, request_id: RowId) -> Response:
    return await _page_call(request, _cancel, request_id)


@api_router.get("/requests", name="api_requests")
def api_requests(request: Request, every: bool = False) -> list[dict[str, Any]]:
    """Evidence requests the caller may see (outstanding, or ``every=true``)."""
    return [as_json(r) for r in visible_requests(_ctx(request), _me(request), every)]


@api_router.post("/requests", name="api_request_create")
async def api_request_create(request: Request) -> dict[str, Any]:
    """Ask a person for a dataset (``contract``) or a document (``description``) by ``due``."""
    return await _api_call(request, _create)


@api_router.post("/requests/{request_id}/fulfil", name="api_request_fulfil")
async def api_request_fulfil(request: Request, request_id: RowId) -> dict[str, Any]:
    """Upload the file asked for (multipart ``file``); a refused dataset answers 422 with each
    problem."""
    return await _api_call(request, _fulfil, request_id)


@api_router.post("/requests/{request_id}/cancel", name="api_request_cancel")
async def api_request_cancel(request: Request, request_id: RowId) -> dict[str, Any]:
    """Withdraw a request (the person who asked), with a ``reason``."""
    return await _api_call(request, _cancel, request_id)
