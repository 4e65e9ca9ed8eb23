"""Signing in: password, one-time password change, TOTP enrolment and check, sign-out.

Each step is a ledger entry (``login``, ``login_failed``, ``password_changed``...); failures
never say whether the user name exists.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from kansa.web import accounts, sessions, trail
from kansa.web.accounts import now_utc
from kansa.web.context import AppContext
from kansa.web.language import COOKIE as LANG_COOKIE
from kansa.web.language import LANGS, Texts, request_lang
from kansa.web.policy import CSRF_COOKIE, STAGE_PAGES
from kansa.web.principal import Principal
from kansa.web.roles import needs_second_factor
from kansa.web.templating import render
from kansa.web.totp import provisioning_uri

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


def _next_stage(user_role: str, totp_enabled: bool) -> str:
    if totp_enabled:
        return "totp"
    return "totp_enrol" if needs_second_factor(user_role) else "full"


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
    outcome = accounts.sign_in(ctx.db, username.strip().lower(), password, s, now)
    if outcome.user is None:
        ctx.throttle.fail(client, now, s.client_window)
        known = outcome.reason != "unknown"  # never write what was typed for an unknown name
        trail.record(ctx.vault, None, "login_failed", user=username.strip().lower() if known else None,
                     reason=outcome.reason, client=client)  # fmt: skip
        message = t("Wrong user name or password, or the account is locked or expired.",
                    "ユーザー名かパスワードが違うか、アカウントがロック中か期限切れです。")  # fmt: skip
        return render(request, "login.html", status=400, error=message)
    user = outcome.user
    old = request.cookies.get(sessions.COOKIE)
    if old:
        sessions.destroy(ctx.db, old)
    stage = "password" if user.must_change_password else _next_stage(user.role, user.totp_enabled)
    token = sessions.create(ctx.db, user.id, stage, now)
    trail.record(ctx.vault, user.username, "login", stage=stage, client=client)
    response = _go(STAGE_PAGES.get(stage, "/"))
    _set_session(response, token)
    return response


@router.post("/logout", name="logout")
def logout(request: Request) -> Response:
    me = _me(request)
    if me.session_token:
        sessions.destroy(_ctx(request).db, me.session_token)
    trail.record(_ctx(request).vault, me.username, "logout")
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
        else accounts.change_password(ctx.db, me.user_id, current, new)
    )
    if problem:
        trail.record(ctx.vault, me.username, "password_change_refused")
        return render(request, "password.html", status=400, error=problem)
    user = accounts.get_user(ctx.db, me.user_id)
    assert user is not None
    stage = "full" if me.stage == "full" else _next_stage(user.role, user.totp_enabled)
    sessions.destroy_all(ctx.db, me.user_id)  # every other browser signs in again
    token = sessions.create(ctx.db, me.user_id, stage, now_utc())
    trail.record(ctx.vault, me.username, "password_changed")
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
    secret = accounts.start_totp(ctx.db, me.user_id)
    return render(request, "totp_enrol.html", enrolled=False, secret=secret,
                  uri=provisioning_uri(secret, me.username))  # fmt: skip


@router.post("/totp/enrol", name="totp_enrol")
def totp_enrol(request: Request, code: Annotated[str, Form()]) -> Response:
    ctx, me = _ctx(request), _me(request)
    t = Texts(request_lang(request))
    user = accounts.get_user(ctx.db, me.user_id)
    assert user is not None
    if user.totp_enabled:
        return _go("/")
    codes = accounts.confirm_totp(ctx.db, me.user_id, code)
    if codes is None:
        trail.record(ctx.vault, me.username, "totp_enrol_failed")
        secret = accounts.start_totp(ctx.db, me.user_id)
        return render(request, "totp_enrol.html", status=400, enrolled=False, secret=secret,
                      uri=provisioning_uri(secret, me.username),
                      error=t("That code is not valid; try the next one.",
                              "コードが正しくありません。次のコードで試してください。"))  # fmt: skip
    if me.session_token:
        sessions.set_stage(ctx.db, me.session_token, "full")
    trail.record(ctx.vault, me.username, "totp_enrolled")
    return render(request, "recovery_codes.html", codes=codes)


@router.get("/totp", name="totp_form")
def totp_form(request: Request) -> Response:
    return render(request, "totp.html")


@router.post("/totp", name="totp_check")
def totp_check(request: Request, code: Annotated[str, Form()]) -> Response:
    ctx, me, now, client = _ctx(request), _me(request), now_utc(), _client(request)
    t = Texts(request_lang(request))
    s = ctx.settings
    if ctx.throttle.blocked(client, now, s.client_failures, s.client_window):
        raise HTTPException(429, t("Too many failed attempts; wait a few minutes.",
                                   "失敗が多すぎます。数分待ってください。"))  # fmt: skip
    method = accounts.check_second_factor(ctx.db, me.user_id, code, s, now)
    if method is None:
        ctx.throttle.fail(client, now, s.client_window)
        trail.record(ctx.vault, me.username, "second_factor_failed", client=client)
        if accounts.is_locked(ctx.db, me.user_id, now):  # locked: this half sign-in ends
            if me.session_token:
                sessions.destroy(ctx.db, me.session_token)
            trail.record(ctx.vault, me.username, "locked", client=client)
            return _go("/login")
        return render(request, "totp.html", status=400,
                      error=t("That code is not valid.", "コードが正しくありません。"))  # fmt: skip
    assert me.session_token
    sessions.destroy(ctx.db, me.session_token)
    token = sessions.create(ctx.db, me.user_id, "full", now)  # a new token once fully signed in
    trail.record(ctx.vault, me.username, "second_factor", method=method, client=client)
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
