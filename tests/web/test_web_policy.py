"""Deny by default: every route of the app, for anonymous and for every role.

The test walks ``app.routes`` itself, so a route added without a rule in the policy table (or
outside the app-wide dependency) fails here before it ships.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient
from helpers_web import (
    a_failing_control,
    client,
    csrf_of,
    finding_of,
    login_form_csrf,
    signed_in,
)

from kansa.appdb import Database
from kansa.web.accounts import add_user, list_users
from kansa.web.policy import POLICY, authorize
from kansa.web.roles import CONTROL_OWNER, EXTERNAL_REVIEWER, ROLES
from kansa.workspace import Workspace

# signing out ends the caller's session: it gets a session of its own (and answers /login)
SESSION_ENDING = {"logout"}


@pytest.fixture(scope="module")
def world(demo: Workspace) -> dict[str, object]:
    control_id, unit = a_failing_control(demo)
    clients: dict[str, TestClient] = {}
    for role in ROLES:
        kw: dict[str, object] = {}
        if role == CONTROL_OWNER:
            kw["unit"] = unit
        if role == EXTERNAL_REVIEWER:
            kw["expires"] = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        clients[role], _ = signed_in(demo, f"p-{role.replace('_', '-')}", role, **kw)
    with Database(demo.database_url) as db:
        add_user(db, "throwaway", "viewer")
        throwaway = next(u.id for u in list_users(db) if u.username == "throwaway")
    params = {"control_id": control_id, "user_id": str(throwaway), "token_id": "999999",
              "code": "ja", "name": "app.css", "fmt": "csv", "seq": "999999",
              "finding_id": str(finding_of(demo, control_id)), "ref": "999999", "request_id": "999999",
              "key_id": "999999", "unit": unit}  # fmt: skip
    return {"clients": clients, "params": params, "app": clients[ROLES[0]].app}


def _routes(app: object) -> list[RouteContext]:
    """Every route the app answers, through included routers (FastAPI's own walk)."""
    return list(iter_route_contexts(app.routes))  # type: ignore[attr-defined]


def _path(route: RouteContext, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: params[m.group(1)], str(route.path))


def test_every_route_is_guarded_and_has_a_rule(world: dict[str, object]) -> None:
    app = world["app"]
    routes = _routes(app)
    assert routes and all(isinstance(r.route, APIRoute) for r in routes), [
        r for r in routes if not isinstance(r.route, APIRoute)
    ]  # no Mount or plain Route could bypass the dependency
    for r in routes:
        assert any(d.call is authorize for d in r.dependant.dependencies), r.path
        assert r.name in POLICY, f"{r.path} ({r.name}) has no rule"
    assert set(POLICY) == {r.name for r in _routes(app)}, "rules for routes that do not exist"


def _request(c: TestClient, method: str, path: str) -> object:
    if method == "GET":
        return c.get(path)
    page = c.get("/account")
    token = csrf_of(page.text) if page.status_code == 200 else login_form_csrf(c)
    return c.request(method, path, data={"csrf": token})


def _cases() -> list[tuple[str | None]]:
    return [(None,), *[(r,) for r in ROLES]]


@pytest.mark.parametrize(("role",), _cases())
def test_every_route_for_every_role(
    world: dict[str, object], demo: Workspace, role: str | None
) -> None:
    clients = world["clients"]
    params = world["params"]
    checked = 0
    for route in _routes(world["app"]):
        rule = POLICY[route.name]
        path = _path(route, params)  # type: ignore[arg-type]
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if role is not None and route.name in SESSION_ENDING:
                c, _ = signed_in(demo, f"s{checked}-{abs(hash((role, route.name))) % 10**8}",
                                 role, **_extra(role, params))  # type: ignore[arg-type]  # fmt: skip
            else:
                c = client(demo) if role is None else clients[role]  # type: ignore[index]
            r = _request(c, method, path)
            status = r.status_code  # type: ignore[attr-defined]
            where = f"{method} {path} as {role or 'anonymous'}: {status}"
            allowed = rule.roles is None or (role in rule.roles and "full" in rule.stages)
            if allowed:
                assert status not in (401, 403), where
                to_login = status == 303 and r.headers["location"] == "/login"  # type: ignore[attr-defined]
                assert route.name == "logout" or not to_login, where
            elif role is None:
                api = path.startswith("/api/")
                assert (
                    (status == 401)
                    if api
                    else (
                        status == 303 and r.headers["location"] == "/login"  # type: ignore[attr-defined]
                    )
                ), where
            else:
                assert status == 403, where
            checked += 1
    assert checked >= len(POLICY)


def _extra(role: str, params: dict[str, str]) -> dict[str, object]:
    from kansa.controls import load_catalog

    if role == CONTROL_OWNER:
        return {"unit": load_catalog()[params["control_id"]].owner}
    if role == EXTERNAL_REVIEWER:
        return {"expires": dt.datetime.now(dt.UTC) + dt.timedelta(days=30)}
    return {}


def test_control_owner_sees_only_their_unit(world: dict[str, object]) -> None:
    c = world["clients"][CONTROL_OWNER]  # type: ignore[index]
    own = world["params"]["control_id"]  # type: ignore[index]
    listed = c.get("/api/controls").json()
    units = {row["owner"] for row in listed}
    assert len(units) == 1 and own in {row["id"] for row in listed}
    other = next(row["id"] for row in world["clients"]["auditor"].get("/api/controls").json()  # type: ignore[index]
                 if row["owner"] not in units)  # fmt: skip
    assert c.get(f"/controls/{other}").status_code == 404
    assert c.get(f"/api/controls/{other}/exceptions").status_code == 404
    assert c.get(f"/controls/{own}/exceptions").status_code == 200
    assert all(f["control_id"] in {r["id"] for r in listed} for f in c.get("/api/findings").json())


def test_viewer_cannot_change_anything(world: dict[str, object]) -> None:
    c = world["clients"]["viewer"]  # type: ignore[index]
    token = csrf_of(c.get("/account").text)
    for path in ("/verify", "/admin/users", "/api/verify"):
        assert c.post(path, data={"csrf": token}).status_code == 403
    own = world["params"]["control_id"]  # type: ignore[index]
    assert c.get(f"/controls/{own}/exceptions").status_code == 403  # summaries, not rows
