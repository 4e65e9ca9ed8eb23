"""Browser journeys in a real headless Chromium (Debian's package) against `kansa serve`.

Playwright drives the system Chromium (``executable_path``): its own browser download is
not needed, so the test runs offline. It also proves what TestClient cannot: a browser keeps
the ``__Host-`` Secure session cookie on http://127.0.0.1 (a secure context) and the pages
work under the CSP with no inline script.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from helpers_web import NEW_PASSWORD, a_failing_control
from playwright.sync_api import Page, expect, sync_playwright

from kansa.appdb import Database
from kansa.web.accounts import add_user
from kansa.workspace import Workspace

CHROMIUM = Path("/usr/lib/chromium/chromium")  # the binary behind Debian's /usr/bin/chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo: Workspace) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(demo.root),
         "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # several worker processes start on a loaded machine
    while True:
        try:
            httpx.get(base + "/login", timeout=2)
            break
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


def _first_sign_in(page: Page, base: str, username: str, one_time: str) -> str:
    page.goto(base + "/")
    assert page.url.endswith("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", one_time)
    page.click("button[type=submit] >> text=Sign in")
    page.wait_for_url("**/password")
    page.fill("input[name=current]", one_time)
    page.fill("input[name=new]", NEW_PASSWORD)
    page.fill("input[name=repeat]", NEW_PASSWORD)
    page.click("text=Change password")
    page.wait_for_url(lambda url: not url.endswith("/password"))
    if not page.url.endswith("/totp/enrol"):
        return ""
    secret = page.inner_text("#totp-secret")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("text=Enrol")
    expect(page.locator("h1")).to_have_text("Recovery codes")
    return secret


def test_auditor_first_login_totp_and_a_failing_control(
    server: str, browser: object, demo: Workspace
) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "pw-auditor", "auditor")
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    assert _first_sign_in(page, server, "pw-auditor", one_time)
    page.click("text=Continue to the overview")
    expect(page.locator("text=Control health by area")).to_be_visible()
    control_id, _ = a_failing_control(demo)
    page.goto(f"{server}/controls?status=fail")
    page.click(f"a[href='/controls/{control_id}']")
    expect(page.locator(f"h1:has-text('{control_id}')")).to_be_visible()
    page.click("a:has-text('exceptions') >> nth=0")
    expect(page.locator("main p").first).to_contain_text(re.compile(r"page 1 / \d+"))
    if page.locator("a[rel=next]").count():
        page.click("a[rel=next]")
        expect(page.locator("main p").first).to_contain_text("page 2 /")
    with page.expect_download() as dl:
        page.click("text=Export CSV")
    assert dl.value.suggested_filename.endswith(".csv")
    page.goto(server + "/")
    page.click("text=Verify now")
    expect(page.locator("#verify-result")).to_contain_text("The vault is intact.")
    assert not errors, errors  # no CSP violation or script error in the console


def test_viewer_sees_no_change_and_is_refused(
    server: str, browser: object, demo: Workspace
) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "pw-viewer", "viewer")
    page = browser.new_page()  # type: ignore[attr-defined]
    assert _first_sign_in(page, server, "pw-viewer", one_time) == ""  # no second factor needed
    expect(page.locator("text=Control health by area")).to_be_visible()
    expect(page.locator("text=Verify now")).to_have_count(0)
    response = page.goto(server + "/admin/users")
    assert response is not None and response.status == 403


def test_control_owner_sees_only_their_unit(server: str, browser: object, demo: Workspace) -> None:
    control_id, unit = a_failing_control(demo)
    with Database(demo.database_url) as db:
        one_time = add_user(db, "pw-owner", "control_owner", unit=unit)
    page = browser.new_page()  # type: ignore[attr-defined]
    assert _first_sign_in(page, server, "pw-owner", one_time)  # owners answer: TOTP required
    page.goto(server + "/controls")
    page.wait_for_load_state()
    owners = page.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert owners and set(owners) == {unit}
    expect(page.locator(f"a[href='/controls/{control_id}']")).to_be_visible()


def test_expired_external_reviewer_is_refused(
    server: str, browser: object, demo: Workspace
) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with Database(demo.database_url) as db:
        one_time = add_user(db, "pw-fsa", "external_reviewer", expires=past)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/login")
    page.fill("input[name=username]", "pw-fsa")
    page.fill("input[name=password]", one_time)
    page.click("button[type=submit] >> text=Sign in")
    expect(page.locator("p.error")).to_be_visible()
    assert page.url.endswith("/login")
    page.goto(server + "/")
    assert page.url.endswith("/login")


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button[type=submit] >> text=Sign in")


def test_security_key_enrolment_sign_in_and_revocation(
    server: str, browser: object, demo: Workspace
) -> None:
    """WebAuthn with Chromium's virtual authenticator (DevTools protocol, WebAuthn domain):
    a real navigator.credentials ceremony, no TOTP at all. WebAuthn needs a secure context
    and a domain as the relying party: http://localhost is one (127.0.0.1 is not a domain)."""
    with Database(demo.database_url) as db:
        one_time = add_user(db, "pw-keyholder", "audit_manager")
    base = server.replace("127.0.0.1", "localhost")
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": False,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})["authenticatorId"]  # fmt: skip

    # first sign-in: one-time password, new password, then a security key instead of TOTP
    page.goto(base + "/login")
    page.fill("input[name=username]", "pw-keyholder")
    page.fill("input[name=password]", one_time)
    page.click("button[type=submit] >> text=Sign in")
    page.fill("input[name=current]", one_time)
    page.fill("input[name=new]", NEW_PASSWORD)
    page.fill("input[name=repeat]", NEW_PASSWORD)
    page.click("text=Change password")
    page.wait_for_url("**/totp/enrol")
    expect(page.locator("#key-register")).to_be_visible()  # the script shows it: WebAuthn here
    page.fill("#key-register input[name=name]", "desk key")
    page.click("#key-register button")
    expect(page.locator("h1")).to_have_text("Recovery codes")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    # sign out, sign in again: the password, then the key (no code typed)
    page.goto(base + "/")
    page.click("text=Sign out")
    _sign_in(page, base, "pw-keyholder")
    page.wait_for_url("**/totp")
    page.click("#key-login button")
    expect(page.locator("text=Control health by area")).to_be_visible()
    assert (
        stored["credentials"][0]["signCount"]
        < cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][0][
            "signCount"
        ]
    )

    # revoke it on the account page: the next sign-in has no key to offer, and must enrol again
    page.goto(base + "/account")
    expect(page.locator("#security-keys tbody tr")).to_have_count(1)
    page.click("#security-keys button:has-text('Revoke')")
    expect(page.locator("#security-keys")).to_contain_text("revoked")
    page.click("text=Sign out")
    _sign_in(page, base, "pw-keyholder")
    page.wait_for_url("**/totp/enrol")
    assert not errors, errors

    from helpers_web import web_entries

    mine = [e for e in web_entries(demo) if e["actor"] == "pw-keyholder"]
    actions = [e["action"] for e in mine]
    assert "webauthn_registered" in actions and "webauthn_revoked" in actions
    assert any(e["action"] == "second_factor" and e.get("method") == "webauthn" for e in mine)
