"""Signing in: one-time password, change, TOTP enrolment, lockout, cookies, headers, CSRF."""

from __future__ import annotations

import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from helpers_web import (
    NEW_PASSWORD,
    client,
    csrf_of,
    post_login,
    signed_in,
    wait_next_step,
    web_entries,
)

from kansa.appdb import Database
from kansa.web.accounts import add_user
from kansa.web.sessions import COOKIE
from kansa.workspace import Workspace


def test_first_sign_in_changes_password_then_enrols_totp(demo: Workspace) -> None:
    c, secret = signed_in(demo, "alice", "auditor")
    assert secret
    r = c.get("/")
    assert r.status_code == 200 and "Control health by area" in r.text
    # a second browser: password, then a TOTP code, then the pages
    c2 = client(demo)
    r = post_login(c2, "alice", NEW_PASSWORD)
    assert r.headers["location"] == "/totp"
    assert c2.get("/").headers["location"] == "/totp"  # no page before the second factor
    page = c2.get("/totp")
    r = c2.post("/totp", data={"code": wait_next_step(secret), "csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert c2.get("/").status_code == 200


def test_a_used_totp_code_is_refused_the_second_time(demo: Workspace) -> None:
    _c, secret = signed_in(demo, "replay", "reviewer")
    code = wait_next_step(secret)
    for expected in (303, 400):
        c2 = client(demo)
        post_login(c2, "replay", NEW_PASSWORD)
        page = c2.get("/totp")
        r = c2.post("/totp", data={"code": code, "csrf": csrf_of(page.text)})
        assert r.status_code == expected


def test_one_time_password_cannot_reach_pages(demo: Workspace) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "bob", "viewer")
    c = client(demo)
    r = post_login(c, "bob", one_time)
    assert r.headers["location"] == "/password"
    assert c.get("/").headers["location"] == "/password"
    assert c.get("/api/overview").status_code == 403


def test_viewer_needs_no_second_factor(demo: Workspace) -> None:
    c, secret = signed_in(demo, "carol", "viewer")
    assert secret == ""
    assert c.get("/").status_code == 200


def test_session_cookie_is_secure_httponly_strict(demo: Workspace) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "dave", "viewer")
    r = post_login(client(demo), "dave", one_time)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and COOKIE in v)
    for part in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert part.lower() in cookie.lower()


def test_lockout_after_repeated_failures(demo: Workspace) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "erin", "viewer")
    c = client(demo)
    for _ in range(5):
        assert post_login(c, "erin", "wrong password!").status_code == 400
    # locked: even the right password is refused now
    assert post_login(c, "erin", one_time).status_code == 400
    reasons = [e["reason"] for e in web_entries(demo) if e.get("user") == "erin"]
    assert reasons == ["bad_password"] * 4 + ["locked", "locked"]


def test_client_throttled_after_many_failures(demo: Workspace) -> None:
    c = client(demo)
    codes = [post_login(c, f"nobody{i}", "x").status_code for i in range(21)]
    assert codes[:20] == [400] * 20 and codes[20] == 429
    unknown = [
        e for e in web_entries(demo) if e["action"] == "login_failed" and e["reason"] == "unknown"
    ]
    assert all(e["user"] is None for e in unknown)  # what was typed is never written


def test_security_headers_on_every_response(demo: Workspace) -> None:
    c = client(demo)
    for r in (c.get("/login"), c.get("/"), c.get("/api/overview"), c.get("/static/app.css")):
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(demo: Workspace) -> None:
    c, _ = signed_in(demo, "frank", "viewer")
    for path in ("/", "/controls", "/findings", "/data", "/runs", "/account"):
        html = c.get(path).text
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
        assert all(body == "" for body in scripts)  # only files the app serves, no inline code
        assert set(re.findall(r"<script([^>]*)>", html)) <= {' src="/static/webauthn.js" defer'}
        assert "style=" not in html and "<style" not in html


@pytest.mark.parametrize("token", [None, "forged"])
def test_post_without_the_right_csrf_token_is_refused(demo: Workspace, token: str | None) -> None:
    c, _ = signed_in(demo, f"grace{str(token).lower()}", "auditor")
    data = {} if token is None else {"csrf": token}
    assert c.post("/verify", data=data).status_code == 403
    assert c.post("/verify", data={"csrf": csrf_of(c.get("/").text)}).status_code == 200


def test_login_without_csrf_cookie_is_refused(demo: Workspace) -> None:
    c = TestClient(client(demo).app, base_url="https://testserver", follow_redirects=False)
    r = c.post("/login", data={"username": "x", "password": "y", "csrf": "z"})
    assert r.status_code == 403


def test_expired_external_reviewer_is_refused(demo: Workspace) -> None:
    import datetime as dt

    from sqlalchemy import update

    from kansa.appdb import User

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    c, _ = signed_in(demo, "fsa", "external_reviewer", expires=soon)
    assert c.get("/").status_code == 200
    with Database(demo.database_url) as db, db.session() as s:
        s.execute(update(User).where(User.username == "fsa")
                  .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))  # fmt: skip
    assert c.get("/").headers["location"] == "/login"  # the live session ends too
    assert post_login(client(demo), "fsa", NEW_PASSWORD).status_code == 400


def test_recovery_code_works_once(demo: Workspace) -> None:
    import re

    with Database(demo.database_url) as db:
        one_time = add_user(db, "henry", "audit_manager")
    c = client(demo)
    post_login(c, "henry", one_time)
    page = c.get("/password")
    c.post("/password", data={"current": one_time, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD,
                              "csrf": csrf_of(page.text)})  # fmt: skip
    page = c.get("/totp/enrol")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret
    r = c.post(
        "/totp/enrol", data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf": csrf_of(page.text)}
    )
    recovery = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", r.text)
    assert len(recovery) == 10
    for expected in (303, 400):
        c2 = client(demo)
        post_login(c2, "henry", NEW_PASSWORD)
        page = c2.get("/totp")
        assert (
            c2.post("/totp", data={"code": recovery[0], "csrf": csrf_of(page.text)}).status_code
            == expected
        )


def test_a_role_that_can_change_cannot_skip_totp_enrolment(demo: Workspace) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "skipper", "control_owner", unit="treasury")
    c = client(demo)
    post_login(c, "skipper", one_time)
    page = c.get("/password")
    r = c.post("/password", data={"current": one_time, "new": NEW_PASSWORD,
                                  "repeat": NEW_PASSWORD, "csrf": csrf_of(page.text)})  # fmt: skip
    assert r.headers["location"] == "/totp/enrol"
    for path in ("/", "/controls", "/account"):
        assert c.get(path).headers["location"] == "/totp/enrol", path
    assert c.get("/api/controls").status_code == 403
    # signing in again does not get round it either
    c2 = client(demo)
    assert post_login(c2, "skipper", NEW_PASSWORD).headers["location"] == "/totp/enrol"


def test_wrong_totp_codes_lock_the_account(demo: Workspace) -> None:
    _c, secret = signed_in(demo, "guesser", "auditor")
    c = client(demo)
    post_login(c, "guesser", NEW_PASSWORD)
    page = c.get("/totp")
    token = csrf_of(page.text)
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    statuses = [c.post("/totp", data={"code": wrong, "csrf": token}).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 303]  # the fifth ends the half sign-in
    assert c.get("/").headers["location"] == "/login"
    # locked: even the right password (and then code) gets nowhere until the lock expires
    assert post_login(client(demo), "guesser", NEW_PASSWORD).status_code == 400
    actions = [e["action"] for e in web_entries(demo) if e["actor"] == "guesser"]
    assert actions.count("second_factor_failed") >= 5 and "locked" in actions
