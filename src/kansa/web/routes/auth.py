"""Signing in: password, one-time password change, TOTP enrolment and check, sign-out.

Each step is a ledger entry (``login``, ``login_failed``, ``password_changed``...), written in
one step with the change it records (:func:`kansa.web.trail.change`); failures never say
whether the user name exists. The second factor is TOTP or a security key
(:mod:`kansa.web.routes.keys`).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kansa.web import accounts, security_keys, sessions, trail
from kansa.web.accounts import now_utc
from kansa.web.context import AppContext
from kansa.web.language import COOKIE as LANG_COOKIE
from kansa.web.language import LANGS, Texts, request_lang
from kansa.web.policy import CSRF_COOKIE, STAGE_PAGES
from kansa.web.principal import Principal
from kansa.web.templating import render
from kansa.web.totp import provisioning_uri
from kansa.web.trail import Entry

router = APIRouter(include_in_schema=False)


def _ctx(request: Request) -> AppContext:
    return request.app.state.kansa


def _me(request: Request) -> Principal:
    who = request.state.principal
    assert who is not None  # the policy let a signed-in user through
    return who


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _go(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def _set_session(response: Response, token: str) -> None:
    # Secure + HttpOnly + SameSite=Strict; no Max-Age: the server ends it (idle/absolute)
    response.set_cookie(
        sessions.COOKIE, token, secure=True, httponly=True, samesite="strict", path="/"
    )


def relying_party(request: Request) -> security_keys.RelyingParty:
    """The origin the browser is on (WebAuthn checks the answer against it)."""
    configured = _ctx(request).settings.public_origin
    return security_keys.RelyingParty.of(
        configured or f"{request.url.scheme}://{request.url.netloc}"
    )


def key_ceremony(request: Request, kind: str) -> str:
    """Options for a WebAuthn ceremony (``create`` or ``get``), the challenge kept in the session."""
    ctx, me = _ctx(request), _me(request)
    user = accounts.get_user(ctx.db, me.user_id)
    assert user is not None and me.session_token
    rp = relying_party(request)
    ceremony = (
        security_keys.registration_options(ctx.db, user, rp)
        if kind == "create"
        else security_keys.authentication_options(ctx.db, me.user_id, rp)
    )
    sessions.set_challenge(ctx.db, me.session_token, ceremony.challenge)
    return ceremony.options_json


def _stage_after_password(ctx: AppContext, user_id: int) -> str:
    with ctx.db.session() as s:
        user = s.get(accounts.User, user_id)
        assert user is not None
        return accounts.login_stage(s, user)


@router.get("/login", name="login_form")
def login_form(request: Request) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", csrf=token)
    response.set_cookie(CSRF_COOKIE, token, secure=True, httponly=True, samesite="strict", path="/")
    return response


@router.post("/login", name="login")
def login(
    request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    ctx, now, client = _ctx(request), now_utc(), _client(request)
    t = Texts(request_lang(request))
    s = ctx.settings
    if ctx.throttle.blocked(client, now, s.client_failures, s.client_window):
        trail.record(ctx.vault, None, "login_throttled", client=client)
        raise HTTPException(429, t("Too many failed sign-ins; wait a few minutes.",
                                   "サインインの失敗が多すぎます。数分待ってください。"))  # fmt: skip
    entry = Entry(ctx.vault, None, "login_failed", {"client": client})
    outcome = accounts.sign_in(ctx.db, username.strip().lower(), password, s, now, entry)
    if outcome.user is None:
        ctx.throttle.fail(client, now, s.client_window)
        message = t("Wrong user name or password, or the account is locked or expired.",
                    "ユーザー名かパスワードが違うか、アカウントがロック中か期限切れです。")  # fmt: skip
        return render(request, "login.html", status=400, error=message)
    user = outcome.user
    old = request.cookies.get(sessions.COOKIE)
    if old:
        sessions.destroy(ctx.db, old)
    stage = entry.details["stage"]  # the login entry, already written, names it
    token = sessions.create(ctx.db, user.id, stage, now)
    response = _go(STAGE_PAGES.get(stage, "/"))
    _set_session(response, token)
    return response


@router.post("/logout", name="logout")
def logout(request: Request) -> Response:
    me, ctx = _me(request), _ctx(request)
    entry = Entry(ctx.vault, me.username, "logout")
    if me.session_token:
        sessions.destroy(ctx.db, me.session_token, entry)
    else:
        trail.record(ctx.vault, me.username, "logout")
    response = _go("/login")
    response.delete_cookie(sessions.COOKIE, secure=True, httponly=True, samesite="strict", path="/")
    return response


@router.get("/password", name="password_form")
def password_form(request: Request) -> Response:
    return render(request, "password.html")


@router.post("/password", name="password_change")
def password_change(
    request: Request, current: Annotated[str, Form()], new: Annotated[str, Form()],
    repeat: Annotated[str, Form()],
) -> Response:  # fmt: skip
    ctx, me = _ctx(request), _me(request)
    t = Texts(request_lang(request))
    problem = (
        t("the two new passwords differ", "新しいパスワードが一致しません")
        if new != repeat
        else accounts.change_password(
            ctx.db, me.user_id, current, new, Entry(ctx.vault, me.username, "password_changed")
        )
    )
    if problem:
        trail.record(ctx.vault, me.username, "password_change_refused")
        return render(request, "password.html", status=400, error=problem)
    stage = "full" if me.stage == "full" else _stage_after_password(ctx, me.user_id)
    sessions.destroy_all(ctx.db, me.user_id)  # every other browser signs in again
    token = sessions.create(ctx.db, me.user_id, stage, now_utc())
    response = _go(STAGE_PAGES.get(stage, "/"))
    _set_session(response, token)
    return response


@router.get("/totp/enrol", name="totp_enrol_form")
def totp_enrol_form(request: Request) -> Response:
    ctx, me = _ctx(request), _me(request)
    user = accounts.get_user(ctx.db, me.user_id)
    assert user is not None
    if user.totp_enabled:
        return render(request, "totp_enrol.html", enrolled=True)
    return _enrol_page(request)


def _enrol_page(request: Request, status: int = 200, **extra: object) -> Response:
    ctx, me = _ctx(request), _me(request)
    secret = accounts.start_totp(ctx.db, me.user_id, ctx.box)
    return render(request, "totp_enrol.html", status=status, enrolled=False, secret=secret,
                  uri=provisioning_uri(secret, me.username),
                  key_options=key_ceremony(request, "create"), **extra)  # fmt: skip


@router.post("/totp/enrol", name="totp_enrol")
def totp_enrol(request: Request, code: Annotated[str, Form()]) -> Response:
    ctx, me = _ctx(request), _me(request)
    t = Texts(request_lang(request))
    user = accounts.get_user(ctx.db, me.user_id)
    assert user is not None
    if user.totp_enabled:
        return _go("/")
    entry = Entry(ctx.vault, me.username, "totp_enrolled")
    codes = accounts.confirm_totp(ctx.db, me.user_id, code, ctx.box, entry)
    if codes is None:
        trail.record(ctx.vault, me.username, "totp_enrol_failed")
        return _enrol_page(request, status=400,
                           error=t("That code is not valid; try the next one.",
                                   "コードが正しくありません。次のコードで試してください。"))  # fmt: skip
    if me.session_token:
        sessions.set_stage(ctx.db, me.session_token, "full")
    return render(request, "recovery_codes.html", codes=codes)


@router.get("/totp", name="totp_form")
def totp_form(request: Request) -> Response:
    return second_factor_page(request)


def second_factor_page(request: Request, status: int = 200, **extra: object) -> Response:
    """The code form, and the security-key button when the user has a key."""
    ctx, me = _ctx(request), _me(request)
    with ctx.db.session() as s:
        has_key = accounts.has_security_key(s, me.user_id)
    options = key_ceremony(request, "get") if has_key else None
    return render(request, "totp.html", status=status, key_options=options, **extra)


@router.post("/totp", name="totp_check")
def totp_check(request: Request, code: Annotated[str, Form()]) -> Response:
    ctx, me, now, client = _ctx(request), _me(request), now_utc(), _client(request)
    t = Texts(request_lang(request))
    s = ctx.settings
    if ctx.throttle.blocked(client, now, s.client_failures, s.client_window):
        raise HTTPException(429, t("Too many failed attempts; wait a few minutes.",
                                   "失敗が多すぎます。数分待ってください。"))  # fmt: skip
    entry = Entry(ctx.vault, me.username, "second_factor", {"client": client})
    method = accounts.check_second_factor(ctx.db, me.user_id, code, s, now, ctx.box, entry)
    if method is None:
        return second_factor_failed(request, entry)
    return fully_signed_in(request)


def second_factor_failed(request: Request, entry: Entry) -> Response:
    """After a refused code or key (already on the ledger): throttle, and end a locked login."""
    ctx, me, now = _ctx(request), _me(request), now_utc()
    t = Texts(request_lang(request))
    ctx.throttle.fail(_client(request), now, ctx.settings.client_window)
    if entry.details.get("locked"):  # locked: this half sign-in ends
        locked = Entry(ctx.vault, me.username, "locked", {"client": _client(request)})
        if me.session_token:
            sessions.destroy(ctx.db, me.session_token, locked)
        return _go("/login")
    return second_factor_page(request, status=400,
                              error=t("That code or key is not valid.",
                                      "コードまたはセキュリティキーが正しくありません。"))  # fmt: skip


def fully_signed_in(request: Request) -> Response:
    """A new session token once the second factor is proven (no session fixation)."""
    ctx, me = _ctx(request), _me(request)
    assert me.session_token
    sessions.destroy(ctx.db, me.session_token)
    token = sessions.create(ctx.db, me.user_id, "full", now_utc())
    response = _go("/")
    _set_session(response, token)
    return response


@router.get("/lang/{code}", name="set_language")
def set_language(code: str, next: str = "/") -> Response:
    if code not in LANGS:
        raise HTTPException(404, "unknown language")
    safe = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = _go(safe)
    response.set_cookie(LANG_COOKIE, code, secure=True, httponly=True, samesite="strict", path="/")
    return response
