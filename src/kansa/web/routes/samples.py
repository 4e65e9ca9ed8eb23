"""Samples on the web: draw an attribute sample from a dataset (method, size, seed), record each
item's result, file the evaluation; both are workpapers to sign on ``/signoffs``.

The same functions as ``kansa sample draw`` and ``kansa sample evaluate``
(:mod:`kansa.analytics.sampling.drawn`), acting as the signed-in user: each workpaper is a
ledger entry naming them. A refused draw or evaluation (an unknown dataset, a size larger than
the population, an item left without a result) files nothing and says why (400).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kansa.analytics.sampling.drawn import (
    WEB_METHODS,
    Drawn,
    drawn_sample,
    drawn_samples,
    evaluate_sample,
)
from kansa.analytics.sampling.drawn import draw_sample as draw
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.signoff import signoff_status
from kansa.web.routes.auth import _ctx, _me
from kansa.web.routes.findings_desk import Fields, RowId, _fields, text
from kansa.web.templating import render
from kansa.web.trail import LedgerUnavailable

router = APIRouter(include_in_schema=False)
MAX_SIZE = 1000


def _datasets(request: Request) -> list[str]:
    return sorted(_ctx(request).vault.latest_all())


def _list_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    ctx = _ctx(request)
    return render(request, "samples.html", status=status, error=error,
                  samples=drawn_samples(ctx.workspace), datasets=_datasets(request),
                  methods=WEB_METHODS, chosen=request.query_params.get("dataset", ""))  # fmt: skip


@router.get("/samples", name="samples")
def samples(request: Request) -> Response:
    return _list_page(request)


def _number(fields: Fields, name: str, kind: type, low: float, high: float) -> Any:
    raw = text(fields, name).strip()
    bad = KansaError(tr(f"{name}: a number from {low} to {high}, not {raw!r}.",
                        f"{name}: {low}〜{high} の数値を指定してください（{raw!r} は不可）。"))  # fmt: skip
    try:
        value = kind(raw)
    except ValueError:
        raise bad from None
    if not low <= value <= high:
        raise bad
    return value


def _rate(fields: Fields) -> float | None:
    return _number(fields, "tolerable_rate", float, 0.001, 0.999) if text(fields, "tolerable_rate").strip() else None  # fmt: skip


def _draw(request: Request, fields: Fields) -> int:
    ctx, me = _ctx(request), _me(request)
    size = _number(fields, "size", int, 1, MAX_SIZE)
    seed = _number(fields, "seed", int, 0, 2**31 - 1) if text(fields, "seed").strip() else None
    filed = draw(ctx.workspace, text(fields, "dataset"), text(fields, "method"), size,
                 seed if seed is not None else secrets.randbelow(2**31), me.username,
                 _rate(fields))  # fmt: skip
    return filed.ledger_seq


@router.post("/samples", name="sample_draw")
async def sample_draw(request: Request) -> Response:
    fields = await _fields(request)
    try:
        seq = await run_in_threadpool(_draw, request, fields)
    except LedgerUnavailable:
        raise
    except KansaError as exc:
        return _list_page(request, 400, exc.message)
    return RedirectResponse(f"/samples/{seq}", status_code=303)


def _found(request: Request, seq: int) -> Drawn:
    try:
        return drawn_sample(_ctx(request).workspace, seq)
    except KansaError:
        raise HTTPException(404, "no such sample") from None


def _sample_page(
    request: Request, seq: int, status: int = 200, error: str | None = None
) -> Response:
    ctx = _ctx(request)
    d = _found(request, seq)
    shown = [d.entry.seq, *(e.seq for e in d.evaluations)]
    signed = {s: signoff_status(ctx.db, ctx.vault, ctx.workspace.config.name, str(s))[0]
              for s in shown}  # fmt: skip
    columns = [c for c in d.columns if c not in ("deviation", "notes")]
    return render(request, "sample.html", status=status, error=error, d=d, columns=columns,
                  signed=signed)  # fmt: skip


@router.get("/samples/{seq}", name="sample")
def sample(request: Request, seq: RowId) -> Response:
    return _sample_page(request, seq)


def _results(d: Drawn, fields: Fields) -> dict[int, tuple[bool, str]]:
    out = {}
    for row in d.rows:
        item = int(row.get("sample_item") or 0)
        answer = text(fields, f"dev-{item}")
        if answer in ("yes", "no"):
            out[item] = (answer == "yes", text(fields, f"note-{item}"))
    return out


def _evaluate(request: Request, seq: int, fields: Fields) -> int:
    ctx, me = _ctx(request), _me(request)
    d = _found(request, seq)
    return evaluate_sample(ctx.workspace, seq, _results(d, fields), me.username,
                           _rate(fields)).ledger_seq  # fmt: skip


@router.post("/samples/{seq}/evaluate", name="sample_evaluate")
async def sample_evaluate(request: Request, seq: RowId) -> Response:
    fields = await _fields(request)
    try:
        await run_in_threadpool(_evaluate, request, seq, fields)
    except LedgerUnavailable:
        raise
    except KansaError as exc:
        return _sample_page(request, seq, 400, exc.message)
    return RedirectResponse(f"/samples/{seq}", status_code=303)
