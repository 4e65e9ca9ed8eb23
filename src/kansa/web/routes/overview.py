"""The overview (with overdue findings escalated) and the findings list (each finding's page
and workflow: :mod:`kansa.web.routes.findings_desk`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kansa.findings.rating import RATINGS
from kansa.web import queries
from kansa.web.finding_view import overdue_for
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", name="overview")
def overview(request: Request) -> Response:
    ctx, me = _ctx(request), _me(request)
    data = queries.overview(ctx, me)
    return render(request, "overview.html", ratings=RATINGS, overdue=overdue_for(ctx, me), **data)


@router.get("/findings", name="findings")
def findings(request: Request, status: str | None = "open") -> Response:
    status = status if status in ("open", "closed") else None
    rows = queries.findings(_ctx(request), _me(request), status=status)
    return render(request, "findings.html", rows=rows, shown=status,
                  catalog=_ctx(request).catalog)  # fmt: skip
