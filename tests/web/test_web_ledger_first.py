"""A change and its ledger entry go together: when the ledger cannot be written, the app
database is left as it was and the page says so (503), instead of a change nobody recorded.

The ledger is made unwritable the way a crash leaves it: a torn last line (no newline), which
every writer refuses to append after (kansa.vault.ledger.Ledger.append)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from helpers_web import csrf_of, signed_in, web_entries
from sqlalchemy import select

from kansa.appdb import ApiToken, Database, Unit, User
from kansa.vault import Vault
from kansa.workspace import Workspace


@contextmanager
def torn_ledger(ws: Workspace) -> Iterator[None]:
    path = Vault(ws.vault_dir).ledger.path
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"seq": 99')  # a line cut short
    try:
        yield
    finally:
        path.write_bytes(whole)


def _snapshot(ws: Workspace) -> tuple[list[str], list[str], list[tuple[str, bool]]]:
    with Database(ws.database_url) as db, db.session() as s:
        users = sorted(s.scalars(select(User.username)))
        tokens = sorted(s.scalars(select(ApiToken.name)))
        units = sorted((u.name, u.active) for u in s.scalars(select(Unit)))
    return users, tokens, units


def test_a_change_whose_ledger_entry_fails_is_rolled_back(demo: Workspace) -> None:
    admin, _ = signed_in(demo, "ledger-admin", "admin")
    auditor, _ = signed_in(demo, "ledger-auditor", "auditor")
    admin_csrf = csrf_of(admin.get("/admin/users").text)
    auditor_csrf = csrf_of(auditor.get("/account").text)
    before, entries = _snapshot(demo), len(web_entries(demo))
    with torn_ledger(demo):
        posts = [
            admin.post("/admin/users", data={"username": "never", "role": "viewer", "csrf": admin_csrf}),
            admin.post("/admin/units", data={"name": "never_unit", "csrf": admin_csrf}),
            auditor.post("/account/tokens", data={"name": "never-token", "role": "viewer",
                                                  "days": "7", "csrf": auditor_csrf}),
        ]  # fmt: skip
        for r in posts:
            assert r.status_code == 503, r.text
            assert "nothing was changed" in r.text and "ledger" in r.text.lower()
        assert _snapshot(demo) == before
    assert len(web_entries(demo)) == entries
    # with the ledger whole again the same requests go through, each with its entry
    assert (
        admin.post("/admin/units", data={"name": "now_unit", "csrf": admin_csrf}).status_code == 303
    )
    r = auditor.post("/account/tokens", data={"name": "now-token", "role": "viewer", "days": "7",
                                              "csrf": auditor_csrf})  # fmt: skip
    assert r.status_code == 200
    _users, tokens, units = _snapshot(demo)
    assert "now-token" in tokens and ("now_unit", True) in units
    actions = [e["action"] for e in web_entries(demo)[entries:]]
    assert actions == ["unit_added", "token_created"]


def test_a_failed_sign_in_is_not_counted_without_its_entry(demo: Workspace) -> None:
    from helpers_web import client, post_login

    signed_in(demo, "ledger-victim", "viewer")
    with torn_ledger(demo):
        r = post_login(client(demo), "ledger-victim", "wrong password")
        assert r.status_code == 503  # type: ignore[attr-defined]
    with Database(demo.database_url) as db, db.session() as s:
        user = s.scalars(select(User).where(User.username == "ledger-victim")).one()
        assert user.failed_logins == 0
