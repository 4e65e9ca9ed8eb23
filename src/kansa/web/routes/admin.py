"""Admin: people, roles and units (the same functions as ``kansa users``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from kansa.web import accounts
from kansa.web.accounts import AccountError
from kansa.web.contacts import LANGUAGES, set_contact
from kansa.web.roles import ROLES
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render
from kansa.web.trail import Entry

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, **extra: object) -> Response:
    users = accounts.list_users(_ctx(request).db)
    return render(request, "users.html", status=status, users=users, roles=ROLES,
                  languages=LANGUAGES, **extra)  # fmt: skip


@router.get("/admin/users", name="users")
def users(request: Request) -> Response:
    return _page(request)


def _expiry(text: str) -> dt.datetime | None:
    if not text.strip():
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise AccountError(f"expires: {text!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@router.post("/admin/users", name="user_add")
def user_add(
    request: Request, username: Annotated[str, Form()], role: Annotated[str, Form()],
    unit: Annotated[str, Form()] = "", expires: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx, me = _ctx(request), _me(request)
    entry = Entry(ctx.vault, me.username, "user_added",
                  {"user": username.strip(), "role": role, "unit": unit.strip() or None,
                   "expires": expires.strip() or None})  # fmt: skip
    try:
        password = accounts.add_user(ctx.db, username.strip(), role, unit=unit.strip() or None,
                                     expires=_expiry(expires), entry=entry)  # fmt: skip
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _page(request, created=username.strip(), password=password)


@router.post("/admin/users/{user_id}/reset", name="user_reset")
def user_reset(request: Request, user_id: int) -> Response:
    ctx, me = _ctx(request), _me(request)
    user = accounts.get_user(ctx.db, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    entry = Entry(ctx.vault, me.username, "password_reset", {"user": user.username})
    password = accounts.reset_password(ctx.db, user.username, reset_totp=True, entry=entry)
    return _page(request, created=user.username, password=password)


@router.post("/admin/users/{user_id}/contact", name="user_contact")
def user_contact(
    request: Request, user_id: int, email: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "", webhook: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """A user's e-mail, webhook and language (notifications reach them there, in it)."""
    ctx, me = _ctx(request), _me(request)
    user = accounts.get_user(ctx.db, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    entry = Entry(ctx.vault, me.username, "user_contact_set", {"user": user.username})
    try:
        set_contact(ctx.db, user.username, email=email, language=language, webhook=webhook,
                    entry=entry)  # fmt: skip
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _page(request)
