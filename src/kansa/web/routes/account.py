"""A user's own account: security keys (WebAuthn) and personal API tokens (shown once,
hashed at rest)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kansa.web import accounts, api_tokens, security_keys
from kansa.web.accounts import AccountError, now_utc
from kansa.web.routes.auth import _ctx, _me, key_ceremony
from kansa.web.templating import render
from kansa.web.trail import Entry

router = APIRouter(include_in_schema=False)


def account_page(request: Request, status: int = 200, **extra: object) -> Response:
    ctx, me = _ctx(request), _me(request)
    tokens = api_tokens.list_for(ctx.db, me.user_id)
    keys = security_keys.list_for(ctx.db, me.user_id)
    return render(request, "account.html", status=status, tokens=tokens, keys=keys,
                  key_options=key_ceremony(request, "create"), **extra)  # fmt: skip


_page = account_page


@router.get("/account", name="account")
def account(request: Request) -> Response:
    return _page(request)


@router.post("/account/tokens", name="token_create")
def token_create(
    request: Request, name: Annotated[str, Form()], role: Annotated[str, Form()],
    days: Annotated[int, Form()] = 30,
) -> Response:  # fmt: skip
    ctx, me = _ctx(request), _me(request)
    user = accounts.get_user(ctx.db, me.user_id)
    assert user is not None
    entry = Entry(ctx.vault, me.username, "token_created",
                  {"name": name[:100], "role": role, "days": days})  # fmt: skip
    try:
        token = api_tokens.create(ctx.db, user, name, role, days, now_utc(), entry)
    except AccountError as exc:
        return _page(request, status=400, error=exc.message)
    return _page(request, new_token=token)


@router.post("/account/tokens/{token_id}/revoke", name="token_revoke")
def token_revoke(request: Request, token_id: int) -> Response:
    ctx, me = _ctx(request), _me(request)
    entry = Entry(ctx.vault, me.username, "token_revoked", {"token_id": token_id})
    if not api_tokens.revoke(ctx.db, me.user_id, token_id, entry):
        raise HTTPException(404, "no such token")
    return RedirectResponse("/account", status_code=303)
