"""The self-assessment against the FSA's maturity ladder on the web (kansa.engagements.maturity):
each step, the claim, its evidence and candidate ledger entries; the audit manager claims."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kansa.engagements import STAGES, assess, ladder, reached
from kansa.errors import KansaError
from kansa.web.routes.plan_desk import web_desk
from kansa.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, error: str | None = None) -> Response:
    with web_desk(request) as desk:
        views = ladder(desk)
    return render(request, "maturity.html", status=status, error=error, views=views, stages=STAGES,
                  reached=reached(views))  # fmt: skip


@router.get("/maturity", name="maturity")
def maturity(request: Request) -> Response:
    return _page(request)


@router.post("/maturity", name="maturity_assess")
def maturity_assess(
    request: Request, step: Annotated[str, Form()], met: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        seqs = [int(s.strip().lstrip("#")) for s in evidence.split(",") if s.strip()]
    except ValueError:
        return _page(request, 400, f"evidence: {evidence!r} is not a list of ledger numbers")
    try:
        with web_desk(request) as desk:
            assess(desk, step, met == "yes", seqs, note)
    except KansaError as exc:
        return _page(request, 400, exc.message)
    return RedirectResponse("/maturity", status_code=303)
