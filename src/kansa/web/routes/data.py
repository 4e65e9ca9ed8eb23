"""Data (snapshots and their hashes), runs, and the verify button."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kansa.web import queries
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render
from kansa.web.verification import summary, verify_and_record

router = APIRouter(include_in_schema=False)


@router.get("/data", name="data")
def data(request: Request) -> Response:
    return render(request, "data.html", rows=queries.datasets(_ctx(request)))


@router.get("/runs", name="runs")
def runs(request: Request) -> Response:
    return render(request, "runs.html", rows=queries.last_runs(_ctx(request), 100))


@router.post("/verify", name="verify")
def verify(request: Request) -> Response:
    report = verify_and_record(_ctx(request), _me(request).username)
    return render(request, "verify.html", report=summary(report),
                  issues=report.issues[:50])  # fmt: skip
