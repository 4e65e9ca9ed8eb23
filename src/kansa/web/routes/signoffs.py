"""Sign-offs on the web: every run, workpaper and report with its preparer's and reviewer's
sign-off (valid, or VOID and why, re-hashed on every view), review notes, and the forms to sign.

Each action calls :mod:`kansa.signoff` as the signed-in user, so the rules (a preparer never
reviews the same item, an auditor never reviews their own unit's work, notes cleared first,
content that changed cannot be signed) are the library's, the same as ``kansa signoff``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kansa.errors import KansaError
from kansa.notify.at_once import announce_review
from kansa.signoff import ItemStatus, Verdict, add_note, clear_note, prepare, review
from kansa.signoff import signoff_status as statuses
from kansa.web.context import AppContext
from kansa.web.desk import desk_for
from kansa.web.routes.auth import _ctx, _me
from kansa.web.routes.findings_desk import Fields, _fields, text
from kansa.web.templating import render
from kansa.workflow import Desk
from kansa.workflow.ledger_first import LedgerUnavailable

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])


def _items(request: Request) -> list[ItemStatus]:
    ctx = _ctx(request)
    return statuses(ctx.db, ctx.vault, ctx.workspace.config.name, every=True)


def _verdict(v: Verdict | None) -> dict[str, Any] | None:
    if v is None:
        return None
    so = v.signoff
    return {"actor": so.actor, "at": str(so.at), "valid": v.valid, "void": list(v.void),
            "ledger_seq": so.ledger_seq}  # fmt: skip


def as_json(s: ItemStatus) -> dict[str, Any]:
    return {
        "seq": s.item.seq, "kind": s.item.kind, "label": s.item.label, "by": s.item.actor,
        "preparer": _verdict(s.preparer), "reviewer": _verdict(s.reviewer),
        "open_notes": [{"id": n.id, "text": n.text, "author": n.author} for n in s.open_notes],
    }  # fmt: skip


@router.get("/signoffs", name="signoffs")
def signoffs(request: Request) -> Response:
    return render(request, "signoffs.html", items=_items(request))


@api_router.get("/signoffs", name="api_signoffs")
def api_signoffs(request: Request) -> list[dict[str, Any]]:
    """Every run, workpaper and report: its sign-offs (valid or VOID, and why) and open notes."""
    return [as_json(s) for s in _items(request)]


Action = Callable[[AppContext, Desk, str, Fields], object]
ACTIONS: dict[str, tuple[str, Action]] = {
    # path, what it does
    "prepare": ("/signoffs/{ref}/prepare", lambda c, d, ref, _f: _prepare(c, d, ref)),
    "review": ("/signoffs/{ref}/review", lambda _c, d, ref, _f: review(d, ref)),
    "note": ("/signoffs/{ref}/notes", lambda _c, d, ref, f: add_note(d, ref, text(f, "text"))),
    "clear": ("/signoffs/notes/{ref}/clear", lambda _c, d, ref, f: _clear(d, ref, f)),
}


def _prepare(ctx: AppContext, desk: Desk, ref: str) -> object:
    signed = prepare(desk, ref)
    announce_review(desk, ctx.workspace, signed.ledger_seq)  # the reviewers are asked at once
    return signed


def _clear(desk: Desk, ref: str, fields: Fields) -> object:
    if not (ref.isascii() and ref.isdigit()) or len(ref) > 9:
        raise HTTPException(404, "no such review note")
    return clear_note(desk, int(ref), text(fields, "answer"))


def _act(request: Request, action: Action, ref: str, fields: Fields) -> None:
    ctx = _ctx(request)
    action(ctx, desk_for(ctx, _me(request)), ref, fields)


def _page(action: Action) -> Callable[..., Any]:
    async def handler(request: Request, ref: str) -> Response:
        fields = await _fields(request)
        try:
            await run_in_threadpool(_act, request, action, ref, fields)
        except LedgerUnavailable:  # nothing was changed: the app answers 503
            raise
        except KansaError as exc:
            return render(request, "signoffs.html", status=409, error=exc.message,
                          items=_items(request))  # fmt: skip
        return RedirectResponse("/signoffs", status_code=303)

    return handler


def _api(action: Action) -> Callable[..., Any]:
    async def handler(request: Request, ref: str) -> dict[str, Any]:
        fields = await _fields(request)
        try:
            await run_in_threadpool(_act, request, action, ref, fields)
        except LedgerUnavailable:  # nothing was changed: the app answers 503
            raise
        except KansaError as exc:
            raise HTTPException(409, exc.message) from None
        return {"ok": True, "ledger_seq": _ctx(request).vault.ledger.head().seq}  # type: ignore[union-attr]

    return handler


for _name, (_path, _action) in ACTIONS.items():
    router.add_api_route(_path, _page(_action), methods=["POST"], name=f"signoff_{_name}")
    api_router.add_api_route(_path, _api(_action), methods=["POST"], name=f"api_signoff_{_name}",
                             summary=f"Sign-off: {_name}")  # fmt: skip
