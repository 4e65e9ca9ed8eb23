"""Every kind of action lands on the ledger with the user, and `kansa verify` stays intact."""

from __future__ import annotations

from helpers_web import (
    a_failing_control,
    client,
    csrf_of,
    kansa,
    post_login,
    signed_in,
    web_entries,
)

from kansa.workspace import Workspace


def test_each_kind_of_action_is_a_ledger_entry_naming_the_user(demo: Workspace) -> None:
    control_id, _unit = a_failing_control(demo)
    before = len(web_entries(demo))
    post_login(client(demo), "ivy", "no such user")  # a failure, user unknown
    admin, _ = signed_in(demo, "root", "admin")
    page = admin.get("/admin/users")
    r = admin.post("/admin/users", data={"username": "ivy", "role": "auditor",
                                         "csrf": csrf_of(page.text)})  # fmt: skip
    assert r.status_code == 200 and 'id="one-time-password"' in r.text
    auditor, _ = signed_in(demo, "jack", "auditor")
    assert auditor.get(f"/controls/{control_id}/exceptions?page=2&sort=").status_code == 200
    csv = auditor.get(f"/controls/{control_id}/exceptions.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    token_page = auditor.get("/account")
    auditor.post("/account/tokens", data={"name": "ci", "role": "viewer", "days": "7",
                                          "csrf": csrf_of(token_page.text)})  # fmt: skip
    assert auditor.post("/verify", data={"csrf": csrf_of(auditor.get("/").text)}).status_code == 200
    auditor.post("/logout", data={"csrf": csrf_of(auditor.get("/").text)})

    entries = web_entries(demo)[before:]
    seen = {(e["action"], e["actor"]) for e in entries}
    for expected in [
        ("login_failed", "anonymous"),
        ("login", "root"),
        ("password_changed", "root"),
        ("totp_enrolled", "root"),
        ("user_added", "root"),
        ("login", "jack"),
        ("view_exceptions", "jack"),
        ("export_exceptions", "jack"),
        ("token_created", "jack"),
        ("verify", "jack"),
        ("logout", "jack"),
    ]:
        assert expected in seen, (expected, sorted(seen))
    export = next(e for e in entries if e["action"] == "export_exceptions")
    assert export["control"] == control_id and export["rows"] > 0 and len(export["sha256"]) == 64
    # the chain is whole: the CLI's verify re-hashes everything, web entries included
    out = kansa("-w", str(demo.root), "verify")
    assert "intact" in out.lower() or "ok" in out.lower(), out
    from kansa.vault import Vault, verify_vault

    assert verify_vault(Vault(demo.vault_dir)).ok


def test_overview_shows_the_last_verification(demo: Workspace) -> None:
    c, _ = signed_in(demo, "kate", "reviewer")
    c.post("/verify", data={"csrf": csrf_of(c.get("/").text)})
    page = c.get("/").text
    assert 'id="last-verify"' in page and "kate" in page and "intact" in page


def test_the_control_page_shows_its_trail(demo: Workspace) -> None:
    control_id, _ = a_failing_control(demo)
    c, _ = signed_in(demo, "liam", "auditor")
    c.get(f"/controls/{control_id}/exceptions")
    page = c.get(f"/controls/{control_id}").text
    assert "view_exceptions" in page and "liam" in page
