"""The findings workflow on the web: a finding's page and one POST per step, page and API.

Every step calls the library (:mod:`kansa.findings`) as the signed-in user, so each is a
``finding`` ledger entry naming them; the route table (:mod:`kansa.web.policy`) says which role
may take which step, and :mod:`kansa.web.finding_view` keeps a control owner inside their unit.
A refused step (wrong state, wrong person, missing reason) changes nothing and says why: the
page shows the message (409), the API returns it as ``detail``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kansa.errors import KansaError
from kansa.findings import (
    accept_risk,
    attach,
    close,
    comment,
    decide_rerating,
    move,
    propose_rerating,
    respond,
)
from kansa.findings.owners import assign_to_owner
from kansa.web.desk import desk_for
from kansa.web.finding_view import FindingView, page_data, visible_finding
from kansa.web.policy import CSRF_FIELD
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render
from kansa.web.uploads import uploaded_file
from kansa.workflow import Desk
from kansa.workflow.ledger_first import LedgerUnavailable

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])
Fields = dict[str, Any]
# a row id: a number the database's INTEGER holds (anything bigger is a 422, not a crash)
RowId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def text(fields: Fields, name: str) -> str:
    value = fields.get(name, "")
    return value if isinstance(value, str) else ""


def day(fields: Fields, name: str, required: bool = False) -> dt.date | None:
    raw = text(fields, name).strip()
    if not raw and not required:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(400, f"{name}: a day as YYYY-MM-DD, not {raw!r}") from None


def _assign(desk: Desk, v: FindingView, fields: Fields) -> None:
    owner = v.control.owner if v.control else ""
    assign_to_owner(desk, v.finding.id, text(fields, "assignee").strip(), day(fields, "due"), owner)


def _respond(desk: Desk, v: FindingView, fields: Fields) -> None:
    respond(desk, v.finding.id, text(fields, "response"), text(fields, "plan"))


def _move(desk: Desk, v: FindingView, fields: Fields) -> None:
    move(desk, v.finding.id, text(fields, "to"), text(fields, "note"))


def _rerate(desk: Desk, v: FindingView, fields: Fields) -> None:
    propose_rerating(desk, v.finding.id, text(fields, "rating"), text(fields, "reason"))


def _decide(desk: Desk, v: FindingView, fields: Fields) -> None:
    decision = text(fields, "decision")
    if decision not in ("approve", "reject"):
        raise HTTPException(400, "decision: approve or reject")
    decide_rerating(desk, v.finding.id, approve=decision == "approve", note=text(fields, "note"))


def _accept(desk: Desk, v: FindingView, fields: Fields) -> None:
    until = day(fields, "until", required=True)
    assert until is not None
    accept_risk(desk, v.finding.id, text(fields, "reason"), until)


def _comment(desk: Desk, v: FindingView, fields: Fields) -> None:
    comment(desk, v.finding.id, text(fields, "text"))


def _attach(desk: Desk, v: FindingView, fields: Fields) -> None:
    with uploaded_file(fields, "file: choose a file to attach", "attachments") as path:
        attach(desk, v.finding.id, path, text(fields, "note"))


def _close(desk: Desk, v: FindingView, fields: Fields) -> None:
    close(desk, v.finding.id, text(fields, "note"))


Step = Callable[[Desk, FindingView, Fields], None]
STEPS: dict[str, Step] = {
    "assign": _assign, "respond": _respond, "move": _move, "rerate": _rerate,
    "decide": _decide, "accept": _accept, "comment": _comment, "attach": _attach,
    "close": _close,
}  # fmt: skip


async def _fields(request: Request) -> Fields:
    if "json" in request.headers.get("content-type", ""):
        body = await request.json()
        return body if isinstance(body, dict) else {}
    form = await request.form()
    return {k: v for k, v in form.items() if k != CSRF_FIELD}


def _take(request: Request, finding_id: int, step: Step, fields: Fields) -> FindingView:
    ctx, me = _ctx(request), _me(request)
    view = visible_finding(ctx, me, finding_id)
    step(desk_for(ctx, me), view, fields)
    return visible_finding(ctx, me, finding_id)


def _page_step(step: Step) -> Callable[..., Any]:
    async def handler(request: Request, finding_id: RowId) -> Response:
        fields = await _fields(request)
        try:
            await run_in_threadpool(_take, request, finding_id, step, fields)
        except LedgerUnavailable:  # nothing was changed: the app answers 503
            raise
        except KansaError as exc:
            ctx, me = _ctx(request), _me(request)
            view = visible_finding(ctx, me, finding_id)
            return render(request, "finding.html", status=409, error=exc.message,
                          **page_data(ctx, me, view))  # fmt: skip
        return RedirectResponse(f"/findings/{finding_id}", status_code=303)

    return handler


def _api_step(step: Step) -> Callable[..., Any]:
    async def handler(request: Request, finding_id: RowId) -> dict[str, Any]:
        fields = await _fields(request)
        try:
            view = await run_in_threadpool(_take, request, finding_id, step, fields)
        except LedgerUnavailable:  # nothing was changed: the app answers 503
            raise
        except KansaError as exc:
            raise HTTPException(409, exc.message) from None
        return view.as_json()

    return handler


for _name, _step in STEPS.items():
    router.add_api_route(f"/findings/{{finding_id}}/{_name}", _page_step(_step),
                         methods=["POST"], name=f"finding_{_name}")  # fmt: skip
    api_router.add_api_route(f"/findings/{{finding_id}}/{_name}", _api_step(_step),
                             methods=["POST"], name=f"api_finding_{_name}",
                             summary=f"Finding workflow: {_name}")  # fmt: skip


@router.get("/findings/{finding_id}", name="finding")
def finding(request: Request, finding_id: RowId) -> Response:
    ctx, me = _ctx(request), _me(request)
    view = visible_finding(ctx, me, finding_id)
    run_id = request.query_params.get("run")
    return render(request, "finding.html", **page_data(ctx, me, view, run_id))


@api_router.get("/findings/{finding_id}", name="api_finding")
def api_finding(request: Request, finding_id: RowId) -> dict[str, Any]:
    """A finding with its workflow fields and its history (runs and people)."""
    ctx, me = _ctx(request), _me(request)
    data = page_data(ctx, me, visible_finding(ctx, me, finding_id))
    history = [
        {"at": str(s.at), "who": s.who, "what": s.what, "state": s.state,
         "details": {k: str(v) if v is not None else None for k, v in s.details.items()},
         "ledger_seq": s.ledger_seq}
        for s in data["steps"]
    ]  # fmt: skip
    return {**data["v"].as_json(), "history": history}
