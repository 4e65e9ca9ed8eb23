"""Shared by the web tests: the demo, users in every role, and signing in the real way."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kansa.appdb import Database
from kansa.cli.app import app as cli_app
from kansa.vault import Vault
from kansa.web import create_app
from kansa.web.accounts import add_user
from kansa.web.policy import CSRF_COOKIE
from kansa.workspace import Workspace

BASE = "https://testserver"  # the session cookie is Secure: the client sends it over https only
NEW_PASSWORD = "correct horse battery staple"


def kansa(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output  # a run with failing controls exits 1
    return result.output


def make_demo(ws: Path) -> Path:
    kansa("demo", "--customers", "300", "--days", "7", "--seed", "3", "--workspace-dir", str(ws))
    kansa("-w", str(ws), "run")
    return ws


def client(ws: Workspace) -> TestClient:
    return TestClient(create_app(ws), base_url=BASE, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def login_form_csrf(c: TestClient) -> str:
    r = c.get("/login")
    assert r.status_code == 200
    assert c.cookies.get(CSRF_COOKIE)
    return csrf_of(r.text)


def post_login(c: TestClient, username: str, password: str) -> object:
    token = login_form_csrf(c)
    return c.post("/login", data={"username": username, "password": password, "csrf": token})


def wait_next_step(secret: str) -> str:
    """A TOTP code of a step not used yet (a code is accepted once: RFC 6238 5.2)."""
    totp = pyotp.TOTP(secret)
    step = int(time.time() // 30)
    time.sleep(max(0.0, (step + 1) * 30 - time.time() + 0.05))
    return totp.now()


def signed_in(ws: Workspace, username: str, role: str, **kw: object) -> tuple[TestClient, str]:
    """A client that went through first sign-in: one-time password, change, TOTP enrolment.

    Returns the client and the user's TOTP secret ("" for a role that needs none)."""
    with Database(ws.database_url) as db:
        one_time = add_user(db, username, role, **kw)  # type: ignore[arg-type]
    c = client(ws)
    r = post_login(c, username, one_time)
    assert r.status_code == 303 and r.headers["location"] == "/password", r.text
    page = c.get("/password")
    r = c.post("/password", data={"current": one_time, "new": NEW_PASSWORD,
                                  "repeat": NEW_PASSWORD, "csrf": csrf_of(page.text)})  # fmt: skip
    assert r.status_code == 303, r.text
    if r.headers["location"] == "/":
        return c, ""
    assert r.headers["location"] == "/totp/enrol"
    page = c.get("/totp/enrol")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret, page.text
    code = pyotp.TOTP(secret.group(1)).now()
    r = c.post("/totp/enrol", data={"code": code, "csrf": csrf_of(page.text)})
    assert r.status_code == 200 and "Recovery codes" in r.text, r.text
    return c, secret.group(1)


def web_entries(ws: Workspace) -> list[dict[str, object]]:
    return [
        {"actor": e.actor, **e.payload}
        for e in Vault(ws.vault_dir).ledger.read()
        if e.kind == "web"
    ]


def a_failing_control(ws: Workspace) -> tuple[str, str]:
    """(control id, its owner unit) of a control that failed with exception rows."""
    from sqlalchemy import select

    from kansa.appdb import ControlResult

    with Database(ws.database_url) as db, db.session() as s:
        row = s.scalars(
            select(ControlResult)
            .where(ControlResult.status == "fail", ControlResult.exceptions_file.is_not(None))
            .order_by(ControlResult.control_id)
        ).first()
    assert row is not None
    from kansa.controls import load_catalog

    return row.control_id, load_catalog()[row.control_id].owner


def finding_of(ws: Workspace, control_id: str) -> int:
    """The id of the open finding of ``control_id`` (the demo's run opened it)."""
    from kansa.findings import list_findings

    with Database(ws.database_url) as db:
        rows = list_findings(db, ws.config.name, status="open")
    return next(f.id for f in rows if f.control_id == control_id)
