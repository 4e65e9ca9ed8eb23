"""Deny by default: one table says which roles may use each route, and nothing else may.

Every route of the app is an :class:`fastapi.routing.APIRoute` whose name is a key of
:data:`POLICY`; the app-wide dependency :func:`authorize` looks the route up on every request
and refuses when there is no rule (tests/web/test_web_policy.py walks ``app.routes`` for
anonymous and every role). A rule also names the login stages it serves: a session that has
not changed its one-time password or passed its second factor reaches only those pages.

Segregation of duties: the admin manages people but does not read evidence rows; viewers and
external reviewers change nothing; only the audit roles run a verification.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request

from kansa.i18n import speak
from kansa.web import roles as r
from kansa.web.identify import identify
from kansa.web.language import request_lang
from kansa.web.principal import Principal

FULL = frozenset({"full"})
ANY_STAGE = frozenset({"password", "totp_enrol", "totp", "full"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE = "__Host-kansa_csrf"  # for forms before sign-in (login CSRF), double submit
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | None  # None: anyone, signed in or not
    stages: frozenset[str] = FULL


PUBLIC = Rule(None)
ALL = frozenset(r.ROLES)
EVIDENCE = frozenset({r.AUDIT_MANAGER, r.AUDITOR, r.REVIEWER, r.CONTROL_OWNER, r.EXTERNAL_REVIEWER})
AUDIT = frozenset({r.AUDIT_MANAGER, r.AUDITOR, r.REVIEWER})
ADMINS = frozenset({r.ADMIN})
# a report covers every unit and samples exception rows: not for the admin or a control owner
REPORTS = frozenset({r.AUDIT_MANAGER, r.AUDITOR, r.REVIEWER, r.VIEWER, r.EXTERNAL_REVIEWER})
# the findings workflow (docs/workflow.md): who takes which step; the library checks again
AUDIT_STAFF = frozenset({r.AUDIT_MANAGER, r.AUDITOR})
OWNERS = frozenset({r.CONTROL_OWNER})
REVIEWERS = frozenset({r.REVIEWER, r.AUDIT_MANAGER})
WORKERS = AUDIT | OWNERS
FINDING_STEPS: dict[str, frozenset[str]] = {
    "assign": AUDIT_STAFF,
    "respond": OWNERS,
    "move": OWNERS,
    "rerate": AUDIT_STAFF,
    "decide": REVIEWERS,
    "accept": frozenset({r.AUDIT_MANAGER}),
    "comment": WORKERS,
    "attach": WORKERS,
    "close": frozenset({r.REVIEWER}),
    "retest": AUDIT_STAFF,
}
SIGNOFF_STEPS: dict[str, frozenset[str]] = {
    "prepare": AUDIT_STAFF,
    "review": REVIEWERS,
    "note": AUDIT,
    "clear": AUDIT,
}
PLANNERS = frozenset({r.AUDIT_MANAGER})
SAMPLE_READERS = AUDIT | {r.EXTERNAL_REVIEWER}

POLICY: dict[str, Rule] = {
    # signing in
    "login_form": PUBLIC,
    "login": PUBLIC,
    "static_file": PUBLIC,
    "set_language": PUBLIC,
    "logout": Rule(ALL, ANY_STAGE),
    "password_form": Rule(ALL, frozenset({"password", "full"})),
    "password_change": Rule(ALL, frozenset({"password", "full"})),
    "totp_enrol_form": Rule(ALL, frozenset({"totp_enrol", "full"})),
    "totp_enrol": Rule(ALL, frozenset({"totp_enrol", "full"})),
    "totp_form": Rule(ALL, frozenset({"totp"})),
    "totp_check": Rule(ALL, frozenset({"totp"})),
    "webauthn_register": Rule(ALL, frozenset({"totp_enrol", "full"})),
    "webauthn_login": Rule(ALL, frozenset({"totp"})),
    # pages
    "overview": Rule(ALL),
    "controls": Rule(ALL),
    "control": Rule(ALL),
    "exceptions": Rule(EVIDENCE),
    "exceptions_export": Rule(EVIDENCE),
    "findings": Rule(ALL),
    "data": Rule(ALL),
    "runs": Rule(ALL),
    "verify": Rule(AUDIT),
    "reports": Rule(REPORTS),
    "report_download": Rule(REPORTS),
    "account": Rule(ALL),
    "token_create": Rule(ALL),
    "token_revoke": Rule(ALL),
    "webauthn_revoke": Rule(ALL),
    "users": Rule(ADMINS),
    "user_add": Rule(ADMINS),
    "user_reset": Rule(ADMINS),
    "user_unit": Rule(ADMINS),
    "user_contact": Rule(ADMINS),
    "units": Rule(ADMINS),
    "unit_add": Rule(ADMINS),
    "unit_rename": Rule(ADMINS),
    "unit_active": Rule(ADMINS),
    # the audit plan (kansa.engagements): read by the audit roles and the committee, planned by
    # the audit manager, worked on by the audit manager and the auditors
    "plan": Rule(REPORTS),
    "plan_entity": Rule(PLANNERS),
    "plan_score": Rule(PLANNERS),
    "plan_build": Rule(PLANNERS),
    "engagement": Rule(REPORTS),
    "engagement_update": Rule(AUDIT_STAFF),
    "engagement_link": Rule(AUDIT_STAFF),
    "engagement_report": Rule(AUDIT_STAFF),
    "engagement_roll_forward": Rule(PLANNERS),
    "maturity": Rule(REPORTS),
    # samples: population rows, read by the audit roles and external reviewers, drawn and
    # evaluated by the audit staff
    "samples": Rule(SAMPLE_READERS),
    "sample": Rule(SAMPLE_READERS),
    "sample_draw": Rule(AUDIT_STAFF),
    "sample_evaluate": Rule(AUDIT_STAFF),
    "maturity_assess": Rule(PLANNERS),
    # JSON API
    "api_openapi": Rule(ALL),
    "api_overview": Rule(ALL),
    "api_controls": Rule(ALL),
    "api_control": Rule(ALL),
    "api_exceptions": Rule(EVIDENCE),
    "api_findings": Rule(ALL),
    "api_datasets": Rule(ALL),
    "api_runs": Rule(ALL),
    "api_verify": Rule(AUDIT),
    "api_users": Rule(ADMINS),
    # the findings workflow
    "finding": Rule(ALL),
    "api_finding": Rule(ALL),
    **{f"finding_{step}": Rule(roles) for step, roles in FINDING_STEPS.items()},
    **{f"api_finding_{step}": Rule(roles) for step, roles in FINDING_STEPS.items()},
    # sign-offs: audit work, read by those who read reports
    "signoffs": Rule(REPORTS),
    "api_signoffs": Rule(REPORTS),
    **{f"signoff_{step}": Rule(roles) for step, roles in SIGNOFF_STEPS.items()},
    **{f"api_signoff_{step}": Rule(roles) for step, roles in SIGNOFF_STEPS.items()},
    # evidence requests: auditors ask, control owners deliver
    "requests": Rule(WORKERS),
    "api_requests": Rule(WORKERS),
    "request_create": Rule(AUDIT_STAFF),
    "api_request_create": Rule(AUDIT_STAFF),
    "request_fulfil": Rule(OWNERS),
    "api_request_fulfil": Rule(OWNERS),
    "request_cancel": Rule(AUDIT_STAFF),
    "api_request_cancel": Rule(AUDIT_STAFF),
}

# where a session that is part way through signing in is sent
STAGE_PAGES = {"password": "/password", "totp_enrol": "/totp/enrol", "totp": "/totp"}


class Redirect(Exception):
    """Send the browser elsewhere (a page asked for before signing in, or mid-login)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _route_name(request: Request) -> str | None:
    route = request.scope.get("route")
    return getattr(route, "name", None)


async def _check_csrf(request: Request, principal: Principal | None) -> None:
    """A POST from a browser carries the session's token (or, before sign-in, the cookie's)."""
    if principal is not None and principal.via == "token":
        return  # a bearer token is not sent by the browser on its own: no cross-site forgery
    expected = principal.csrf_token if principal else request.cookies.get(CSRF_COOKIE)
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and "form" in request.headers.get("content-type", ""):
        supplied = str((await request.form()).get(CSRF_FIELD) or "")
    if not expected or not supplied or not hmac.compare_digest(expected, supplied):
        raise HTTPException(403, "CSRF token missing or wrong")


async def authorize(request: Request) -> None:
    """The app-wide dependency: identify, check the route's rule, then the CSRF token."""
    rule = POLICY.get(_route_name(request) or "")
    principal = identify(request)
    request.state.principal = principal
    speak(request_lang(request))  # the library's messages, in the reader's language
    if rule is None:
        raise HTTPException(403, "no rule allows this route")
    if rule.roles is not None:
        if principal is None:
            if is_api(request):
                raise HTTPException(401, "sign in or send a token", {"WWW-Authenticate": "Bearer"})
            raise Redirect("/login")
        if principal.stage not in rule.stages:
            if is_api(request) or principal.stage not in STAGE_PAGES:
                raise HTTPException(403, "finish signing in first")
            raise Redirect(STAGE_PAGES[principal.stage])
        if principal.role not in rule.roles:
            raise HTTPException(403, "your role may not use this")
    if request.method in UNSAFE:
        await _check_csrf(request, principal)
