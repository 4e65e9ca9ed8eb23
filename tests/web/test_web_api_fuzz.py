"""A schema-driven fuzz run (schemathesis) of the JSON API: no input makes a server error.

Schemathesis reads the app's own OpenAPI document (``/api/openapi.json``, itself behind the
policy) and generates requests for every operation; they are sent with an auditor's token,
and with an admin's for the admin-only route.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from kansa.appdb import Database
from kansa.web import api_tokens, create_app
from kansa.web.accounts import add_user, list_users
from kansa.workspace import Workspace

TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(demo: Workspace) -> object:
    app = create_app(demo)
    now = dt.datetime.now(dt.UTC)
    with Database(demo.database_url) as db:
        for name, role in (("fuzz-auditor", "auditor"), ("fuzz-admin", "admin")):
            add_user(db, name, role)
            user = next(u for u in list_users(db) if u.username == name)
            TOKENS[role] = api_tokens.create(db, user, "fuzz", role, 1, now)
    auth = {"Authorization": f"Bearer {TOKENS['auditor']}"}
    return schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=auth)


def test_no_input_makes_a_server_error(api_schema: object) -> None:
    operations = [op.ok() for op in api_schema.get_all_operations()]  # type: ignore[attr-defined]
    assert len(operations) == 9  # every API route but the document itself
    for operation in operations:
        _fuzz(operation)


def _fuzz(operation: object) -> None:
    role = "admin" if operation.path == "/api/users" else "auditor"  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}

    @given(case=operation.as_strategy())  # type: ignore[attr-defined]
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def fuzz(case: object) -> None:
        response = case.call(headers=headers)  # type: ignore[attr-defined]
        assert response.status_code < 500, (case, response.text)
        assert response.status_code not in (401, 403), response.text

    fuzz()
