"""Refused WebAuthn ceremonies: on the ledger, nothing stored, and counted like a wrong code.
(The ceremonies that succeed run in a real Chromium: test_web_browser.py.)"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

from fastapi.testclient import TestClient
from helpers_web import BASE, NEW_PASSWORD, client, csrf_of, post_login, signed_in, web_entries
from sqlalchemy import select

from kansa.appdb import Database, User, WebAuthnCredential
from kansa.web import create_app
from kansa.web.settings import WebSettings
from kansa.workspace import Workspace


def test_a_refused_registration_is_recorded_and_stores_nothing(demo: Workspace) -> None:
    c, _ = signed_in(demo, "key-refused", "auditor")
    page = c.get("/account")
    assert 'data-webauthn="create"' in page.text and "&#34;challenge&#34;" in page.text
    r = c.post("/webauthn/register", data={"credential": '{"error": "NotAllowedError"}',
                                           "name": "k", "csrf": csrf_of(page.text)})  # fmt: skip
    assert r.status_code == 400 and "was not registered" in r.text
    # an answer that is not a credential at all is refused the same way
    r = c.post("/webauthn/register", data={"credential": "{}", "csrf": csrf_of(page.text)})
    assert r.status_code == 400
    with Database(demo.database_url) as db, db.session() as s:
        assert not list(s.scalars(select(WebAuthnCredential)))
    mine = [e for e in web_entries(demo) if e["actor"] == "key-refused"]
    failed = [e for e in mine if e["action"] == "webauthn_register_failed"]
    assert len(failed) == 2 and all(e["reason"] for e in failed)


def test_a_forged_assertion_counts_as_a_failed_sign_in(demo: Workspace) -> None:
    signed_in(demo, "key-forger", "reviewer")
    c = client(demo)
    assert post_login(c, "key-forger", NEW_PASSWORD).headers["location"] == "/totp"  # type: ignore[attr-defined]
    page = c.get("/totp")
    forged = '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}'
    r = c.post("/webauthn/login", data={"credential": forged, "csrf": csrf_of(page.text)})
    assert r.status_code == 400
    assert c.get("/").headers["location"] == "/totp"  # still half signed in
    with Database(demo.database_url) as db, db.session() as s:
        user = s.scalars(select(User).where(User.username == "key-forger")).one()
        assert user.failed_logins == 1
    last = [e for e in web_entries(demo) if e["actor"] == "key-forger"][-1]
    assert last["action"] == "second_factor_failed" and last["method"] == "webauthn"


def test_behind_a_proxy_keys_are_bound_to_the_public_origin(demo: Workspace) -> None:
    c, _ = signed_in(demo, "key-proxied", "auditor")
    proxied = TestClient(
        create_app(demo, WebSettings(public_origin="https://audit.example.com")),
        base_url=BASE, follow_redirects=False, cookies=dict(c.cookies),
    )  # fmt: skip
    page = proxied.get("/account")
    found = re.search(r'data-options="([^"]*)"', page.text)
    assert found, page.text
    options = json.loads(html.unescape(found.group(1)))
    assert options["rp"] == {"name": "Kansa", "id": "audit.example.com"}
    assert options["attestation"] == "none" and len(options["challenge"]) >= 22
    done = subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(demo.root),
         "serve", "--public-origin", "ftp://x/y"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "is not an origin" in done.stderr
