"""Rendering pages: Jinja2 templates shipped in the package, autoescaped."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from kansa.web.language import Texts, request_lang
from kansa.web.policy import CSRF_COOKIE, POLICY
from kansa.web.roles import TITLES

_env = Environment(
    loader=PackageLoader("kansa.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def allowed(principal: Any, route: str) -> bool:
    """Whether the signed-in user may use ``route`` (to hide links they cannot follow)."""
    rule = POLICY.get(route)
    return bool(rule and principal and (rule.roles is None or principal.role in rule.roles))


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    lang = request_lang(request)
    given = ctx.pop("csrf", "")  # the login form passes the token it is about to set
    csrf = principal.csrf_token if principal else request.cookies.get(CSRF_COOKIE) or given
    html = _env.get_template(template).render(
        t=Texts(lang),
        lang=lang,
        me=principal,
        csrf=csrf,
        can=lambda route: allowed(principal, route),
        role_title=lambda role: TITLES.get(role, (role, role))[lang == "ja"],
        path=request.url.path,
        **ctx,
    )
    return HTMLResponse(html, status_code=status)
