"""Security keys (WebAuthn): register one, sign in with one, revoke one.

The browser side is ``static/webauthn.js`` (no inline script under the CSP): it reads the
ceremony's options from the form's ``data-options``, asks ``navigator.credentials``, and posts
the answer as a plain form field with the CSRF token. A browser without WebAuthn never shows
these forms and keeps TOTP. Every ceremony's outcome, refused ones included, is on the ledger.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kansa.web import security_keys, sessions, trail
from kansa.web.accounts import now_utc
from kansa.web.language import Texts, request_lang
from kansa.web.routes.auth import (
    _client,
    _ctx,
    _me,
    fully_signed_in,
    relying_party,
    second_factor_failed,
)
from kansa.web.templating import render
from kansa.web.trail import Entry

router = APIRouter(include_in_schema=False)


def _refused_page(request: Request) -> Response:
    t = Texts(request_lang(request))
    me = _me(request)
    error = t("The security key was not registered (cancelled, or its answer did not hold).",
              "セキュリティキーは登録されませんでした（キャンセルされたか、応答が不正です）。")  # fmt: skip
    if me.stage == "full":
        from kansa.web.routes.account import account_page

        return account_page(request, status=400, error=error)
    from kansa.web.routes.auth import _enrol_page

    return _enrol_page(request, status=400, error=error)


@router.post("/webauthn/register", name="webauthn_register")
def webauthn_register(
    request: Request, credential: Annotated[str, Form(max_length=20_000)],
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:  # fmt: skip
    ctx, me = _ctx(request), _me(request)
    assert me.session_token
    challenge = sessions.take_challenge(ctx.db, me.session_token)
    label = name.strip()[:100] or "security key"
    entry = Entry(ctx.vault, me.username, "webauthn_registered")
    try:
        codes = security_keys.register(ctx.db, me.user_id, credential, challenge,
                                       relying_party(request), label, now_utc(), entry)  # fmt: skip
    except security_keys.KeyRefused as exc:
        trail.record(ctx.vault, me.username, "webauthn_register_failed", name=label,
                     reason=str(exc)[:200])  # fmt: skip
        return _refused_page(request)
    if me.stage != "full":
        sessions.set_stage(ctx.db, me.session_token, "full")
    if codes:
        return render(request, "recovery_codes.html", codes=codes)
    return RedirectResponse("/account", status_code=303)


@router.post("/webauthn/login", name="webauthn_login")
def webauthn_login(
    request: Request, credential: Annotated[str, Form(max_length=20_000)]
) -> Response:
    ctx, me, now, client = _ctx(request), _me(request), now_utc(), _client(request)
    s = ctx.settings
    if ctx.throttle.blocked(client, now, s.client_failures, s.client_window):
        raise HTTPException(429, "too many failed attempts; wait a few minutes")
    assert me.session_token
    challenge = sessions.take_challenge(ctx.db, me.session_token)
    entry = Entry(ctx.vault, me.username, "second_factor", {"client": client})
    if security_keys.authenticate(ctx.db, me.user_id, credential, challenge,
                                  relying_party(request), s, now, entry):  # fmt: skip
        return fully_signed_in(request)
    return second_factor_failed(request, entry)


@router.post("/account/keys/{key_id}/revoke", name="webauthn_revoke")
def webauthn_revoke(request: Request, key_id: int) -> Response:
    ctx, me = _ctx(request), _me(request)
    entry = Entry(ctx.vault, me.username, "webauthn_revoked", {"key_id": key_id})
    if not security_keys.revoke(ctx.db, me.user_id, key_id, now_utc(), entry):
        raise HTTPException(404, "no such security key")
    return RedirectResponse("/account", status_code=303)
