"""Finding the principal of a request: a bearer token, else the session cookie."""

from __future__ import annotations

from fastapi import HTTPException, Request

from kansa.web import api_tokens, sessions
from kansa.web.accounts import now_utc, usable
from kansa.web.principal import Principal


def identify(request: Request) -> Principal | None:
    ctx = request.app.state.kansa
    now = now_utc()
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, value = auth.partition(" ")
        token = (
            api_tokens.resolve(ctx.db, value.strip(), now) if scheme.lower() == "bearer" else None
        )
        if token is None:  # a wrong token never falls back to the cookie
            raise HTTPException(401, "invalid or expired token", {"WWW-Authenticate": "Bearer"})
        u = token.user
        return Principal(
            u.id, u.username, token.role, u.unit.name if u.unit else None, "token", "full",
            language=u.language,
        )  # fmt: skip
    cookie = request.cookies.get(sessions.COOKIE)
    if not cookie:
        return None
    found = sessions.load(ctx.db, cookie, ctx.settings, now)
    if found is None:
        return None
    u = found.user
    if not usable(u, now):  # expired or disabled since signing in
        sessions.destroy(ctx.db, cookie)
        return None
    return Principal(
        u.id,
        u.username,
        u.role,
        u.unit.name if u.unit else None,
        "session",
        found.stage,
        session_token=cookie,
        csrf_token=found.csrf_token,
        language=u.language,
    )
