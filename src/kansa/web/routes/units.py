"""Admin: units (departments): create, rename, deactivate, and assign people to them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kansa.web import accounts, units
from kansa.web.accounts import AccountError
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render
from kansa.web.trail import Entry

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, **extra: object) -> Response:
    ctx = _ctx(request)
    return render(request, "units.html", status=status, units=units.list_units(ctx.db),
                  users=accounts.list_users(ctx.db), **extra)  # fmt: skip


def _entry(request: Request, action: str, **details: object) -> Entry:
    return Entry(_ctx(request).vault, _me(request).username, action, dict(details))


def _done() -> Response:
    return RedirectResponse("/admin/units", status_code=303)


@router.get("/admin/units", name="units")
def units_page(request: Request) -> Response:
    return _page(request)


@router.post("/admin/units", name="unit_add")
def unit_add(
    request: Request, name: Annotated[str, Form(max_length=64)],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    name = name.strip()
    try:
        units.add_unit(_ctx(request).db, name, title,
                       _entry(request, "unit_added", unit=name, title=title.strip() or name))  # fmt: skip
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _done()


@router.post("/admin/units/{unit}/rename", name="unit_rename")
def unit_rename(
    request: Request, unit: str, title: Annotated[str, Form(max_length=200)]
) -> Response:
    try:
        units.rename_unit(_ctx(request).db, unit, title, _entry(request, "unit_renamed"))
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _done()


@router.post("/admin/units/{unit}/active", name="unit_active")
def unit_active(request: Request, unit: str, active: Annotated[bool, Form()] = False) -> Response:
    action = "unit_reactivated" if active else "unit_deactivated"
    try:
        units.set_active(_ctx(request).db, unit, active, _entry(request, action, unit=unit))
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _done()


@router.post("/admin/users/{user_id}/unit", name="user_unit")
def user_unit(request: Request, user_id: int, unit: Annotated[str, Form()] = "") -> Response:
    ctx = _ctx(request)
    user = accounts.get_user(ctx.db, user_id)
    if user is None:
        return _page(request, status=404, error="no such user")
    target = unit.strip() or None
    try:
        units.assign(ctx.db, user.username, target,
                     _entry(request, "user_unit_set", user=user.username, unit=target))  # fmt: skip
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _done()
