"""The audit plan and its engagements on the web: the universe with risk scores, the annual
plan, one engagement's programme, linked work, reports and their sign-offs. The same
functions as ``kansa plan`` and ``kansa engagement`` (kansa.engagements), acting as the
signed-in user: every change is a ledger entry naming them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kansa.engagements import (
    add_entity,
    build_plan,
    engagements,
    entities,
    get_engagement,
    items_of,
    link_item,
    record_scores,
    roll_forward,
    score_universe,
    uncovered_high_risk,
    update_engagement,
)
from kansa.engagements.plan import STATUSES
from kansa.engagements.report import FORMATS, file_engagement_report
from kansa.errors import KansaError
from kansa.signoff import signoff_status
from kansa.web.language import request_lang
from kansa.web.routes.auth import _ctx
from kansa.web.routes.plan_desk import web_desk
from kansa.web.templating import render
from kansa.workflow import Desk

router = APIRouter(include_in_schema=False)
HIGH_RISK = 15


def _plan_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    ctx, year = _ctx(request), dt.date.today().year
    with web_desk(request) as desk:
        scores = score_universe(desk, ctx.catalog)
        plan = engagements(desk)
        missing = uncovered_high_risk(desk, ctx.catalog, year, HIGH_RISK)
        universe = entities(desk)
    return render(request, "plan.html", status=status, error=error, scores=scores, plan=plan,
                  missing=missing, universe=universe, year=year, high=HIGH_RISK)  # fmt: skip


@router.get("/plan", name="plan")
def plan(request: Request) -> Response:
    return _plan_page(request)


@router.post("/plan/entities", name="plan_entity")
def plan_entity(
    request: Request, kind: Annotated[str, Form()], name: Annotated[str, Form()],
    impact: Annotated[int, Form()], likelihood: Annotated[int, Form()],
    title: Annotated[str, Form()] = "", datasets: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    sets = [d.strip() for d in datasets.split(",") if d.strip()]
    try:
        with web_desk(request) as desk:
            add_entity(
                desk,
                _ctx(request).catalog,
                kind,
                name.strip(),
                impact,
                likelihood,
                title.strip(),
                sets,
            )
    except KansaError as exc:
        return _plan_page(request, 400, exc.message)
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/score", name="plan_score")
def plan_score(request: Request) -> Response:
    with web_desk(request) as desk:
        record_scores(desk, score_universe(desk, _ctx(request).catalog))
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/build", name="plan_build")
def plan_build(
    request: Request, year: Annotated[int, Form()], lead: Annotated[str, Form()],
    min_score: Annotated[int, Form()] = HIGH_RISK, hours: Annotated[float, Form()] = 0.0,
) -> Response:  # fmt: skip
    try:
        with web_desk(request) as desk:
            build_plan(desk, _ctx(request).catalog, year, min_score, lead.strip(), hours)
    except KansaError as exc:
        return _plan_page(request, 400, exc.message)
    return RedirectResponse("/plan", status_code=303)


def _reports_of(request: Request, code: str) -> list[dict[str, object]]:
    ctx = _ctx(request)
    rows = []
    for e in ctx.vault.ledger.read():
        if e.kind == "report" and e.payload.get("engagement") == code:
            (st,) = signoff_status(ctx.db, ctx.vault, ctx.workspace.config.name, str(e.seq))
            rows.append({"seq": e.seq, "time": e.time, "by": e.actor, "format": e.payload.get("format"),
                         "language": e.payload.get("language"), "status": st})  # fmt: skip
    return rows[::-1]


def _engagement_page(
    request: Request, code: str, status: int = 200, error: str | None = None
) -> Response:
    ctx = _ctx(request)
    with web_desk(request) as desk:
        try:
            e = get_engagement(desk, code)
        except KansaError:
            raise HTTPException(404, "no such engagement") from None
        items = [
            (i, signoff_status(ctx.db, ctx.vault, desk.workspace, str(i.item_seq))[0])
            for i in items_of(desk, e)
        ]
    return render(request, "engagement.html", status=status, error=error, e=e, items=items,
                  reports=_reports_of(request, code), statuses=STATUSES, formats=list(FORMATS),
                  report_lang=request_lang(request))  # fmt: skip


@router.get("/plan/engagements/{code}", name="engagement")
def engagement(request: Request, code: str) -> Response:
    return _engagement_page(request, code)


def _act(request: Request, code: str, step: Callable[[Desk], str | None]) -> Response:
    """Run ``step`` (a callable taking the desk); a refusal re-renders the page with its reason."""
    try:
        with web_desk(request) as desk:
            get_engagement(desk, code)
            target = step(desk)
    except KansaError as exc:
        return _engagement_page(request, code, 400, exc.message)
    return RedirectResponse(f"/plan/engagements/{target or code}", status_code=303)


def _none(_done: object) -> None:
    """A step whose page stays the engagement's own."""


@router.post("/plan/engagements/{code}/update", name="engagement_update")
def engagement_update(
    request: Request, code: str, status: Annotated[str, Form()] = "",
    hours_actual: Annotated[str, Form()] = "", opinion: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def step(desk: Desk) -> None:
        hours = float(hours_actual) if hours_actual.strip() else None
        update_engagement(desk, code, status=status or None, hours_actual=hours,
                          opinion=opinion if opinion.strip() else None)  # fmt: skip

    try:
        return _act(request, code, step)
    except ValueError:
        return _engagement_page(request, code, 400, f"hours: {hours_actual!r} is not a number")


@router.post("/plan/engagements/{code}/link", name="engagement_link")
def engagement_link(request: Request, code: str, item: Annotated[str, Form()]) -> Response:
    return _act(request, code, lambda desk: _none(link_item(desk, code, item.strip())))


@router.post("/plan/engagements/{code}/report", name="engagement_report")
def engagement_report(
    request: Request, code: str, fmt: Annotated[str, Form()], language: Annotated[str, Form()]
) -> Response:
    ctx = _ctx(request)
    return _act(
        request,
        code,
        lambda desk: _none(file_engagement_report(desk, ctx.catalog, code, fmt, language)),
    )


@router.post("/plan/engagements/{code}/roll-forward", name="engagement_roll_forward")
def engagement_roll_forward(request: Request, code: str) -> Response:
    ctx = _ctx(request)
    return _act(request, code, lambda desk: roll_forward(desk, ctx.catalog, code).code)
