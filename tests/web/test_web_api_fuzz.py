"""A schema-driven fuzz run (schemathesis) of the JSON API: no input makes a server error.

Schemathesis reads the app's own OpenAPI document (``/api/openapi.json``, itself behind the
policy) and generates requests for every operation; they are sent with an auditor's token,
and with an admin's for the admin-only route.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from fastapi.routing import iter_route_contexts
from hypothesis import HealthCheck, given, settings

from kansa.appdb import Database
from kansa.web import api_tokens, create_app
from kansa.web.accounts import add_user, list_users
from kansa.web.policy import POLICY
from kansa.workspace import Workspace

TOKENS: dict[str, str] = {}
# the token each operation is sent with: the first of these roles its rule allows
PREFERRED = ("auditor", "audit_manager", "reviewer", "control_owner", "admin")
RULES: dict[tuple[str, str], str] = {}  # (method, path) -> route name


@pytest.fixture(scope="module")
def api_schema(demo: Workspace) -> object:
    app = create_app(demo)
    for route in iter_route_contexts(app.routes):  # through included routers
        for method in route.methods or ():
            RULES[(method, str(route.path))] = str(route.name)
    now = dt.datetime.now(dt.UTC)
    with Database(demo.database_url) as db:
        for role in PREFERRED:
            name = f"fuzz-{role.replace('_', '-')}"
            add_user(db, name, role, unit="treasury" if role == "control_owner" else None)
            user = next(u for u in list_users(db) if u.username == name)
            TOKENS[role] = api_tokens.create(db, user, "fuzz", role, 1, now)
    auth = {"Authorization": f"Bearer {TOKENS['auditor']}"}
    return schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=auth)


def test_no_input_makes_a_server_error(api_schema: object) -> None:
    operations = [op.ok() for op in api_schema.get_all_operations()]  # type: ignore[attr-defined]
    api_routes = {n for n in POLICY if n.startswith("api_") and n != "api_openapi"}
    assert len(operations) == len(api_routes)  # every API route but the document itself
    for operation in operations:
        _fuzz(operation)


def _fuzz(operation: object) -> None:
    name = RULES[(operation.method.upper(), operation.path)]  # type: ignore[attr-defined]
    allowed = POLICY[name].roles or frozenset(PREFERRED)
    role = next(r for r in PREFERRED if r in allowed)
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}

    @given(case=operation.as_strategy())  # type: ignore[attr-defined]
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def fuzz(case: object) -> None:
        response = case.call(headers=headers)  # type: ignore[attr-defined]
        assert response.status_code < 500, (case, response.text)
        assert response.status_code not in (401, 403), response.text

    fuzz()
