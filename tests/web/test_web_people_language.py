"""People's addresses and language in their accounts (kansa users set, the admin page), pages
and refusals in the reader's language, and findings, sign-offs and evidence requests changed
only together with their ledger entry (a ledger that cannot be written: 503, nothing changed)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_web import csrf_of, finding_of, signed_in, web_entries
from sqlalchemy import func, select
from test_web_ledger_first import torn_ledger
from typer.testing import CliRunner

from kansa.appdb import Database, EvidenceRequest, FindingAction, SignOff, User
from kansa.cli.app import app as cli_app
from kansa.cli.app import main
from kansa.cli.context import console as cli_console
from kansa.vault import Vault
from kansa.web.contacts import set_contact
from kansa.workspace import Workspace


@pytest.fixture(scope="module")
def people(demo: Workspace) -> dict[str, TestClient]:
    who = {"admin": ("admin", None), "manager": ("audit_manager", None),
           "auditor": ("auditor", None), "owner": ("control_owner", "treasury")}  # fmt: skip
    return {
        n: signed_in(demo, f"pl-{n}", role, **({"unit": unit} if unit else {}))[0]
        for n, (role, unit) in who.items()
    }


def post(c: TestClient, path: str, headers: dict[str, str] | None = None, **form: str) -> Any:
    token = csrf_of(c.get("/account").text)
    return c.post(path, data={**form, "csrf": token}, headers=headers or {})


def kansa_main(capsys: Any, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """The real entry point (errors become one message and an exit code)."""
    monkeypatch.setattr(sys, "argv", ["kansa", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, " ".join((out + err).split())


def _contact(ws: Workspace, name: str) -> tuple[str | None, str | None, str | None]:
    with Database(ws.database_url) as db, db.session() as s:
        u = s.scalars(select(User).where(User.username == name)).one()
        return u.email, u.language, u.webhook


def _user_id(ws: Workspace, name: str) -> int:
    with Database(ws.database_url) as db, db.session() as s:
        return int(s.scalars(select(User.id).where(User.username == name)).one())


def test_kansa_users_sets_an_accounts_address_and_language(
    demo: Workspace, people: dict[str, TestClient], capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = str(demo.root)
    monkeypatch.setenv("KANSA_LANG", "en")
    monkeypatch.setattr(cli_console, "_width", 200)  # the table whole, whatever the terminal
    code, out = kansa_main(capsys, monkeypatch, "-w", w, "users", "set", "pl-owner", "--email",
                           "owner@example.test", "--language", "ja")  # fmt: skip
    assert code == 0, out
    assert _contact(demo, "pl-owner") == ("owner@example.test", "ja", None)
    for args, says in ((["--email", "not an address"], "is not one e-mail address"),
                       (["--language", "fr"], "en or ja"),
                       (["--webhook", "ftp://x"], "not an http(s) URL"),
                       (["--email", ""], None)):  # fmt: skip
        if says is None:
            break
        code, out = kansa_main(capsys, monkeypatch, "-w", w, "users", "set", "pl-owner", *args)
        assert code == 2 and says in out and "Traceback" not in out, out
    monkeypatch.setenv("KANSA_LANG", "ja")
    code, out = kansa_main(capsys, monkeypatch, "-w", w, "users", "set", "ghost", "--email",
                           "g@example.test")  # fmt: skip
    assert code == 2 and "ユーザー 'ghost' はいません" in out
    assert _contact(demo, "pl-owner") == ("owner@example.test", "ja", None)  # unchanged
    monkeypatch.setenv("KANSA_LANG", "en")
    code, out = kansa_main(capsys, monkeypatch, "-w", w, "users", "list")
    assert "owner@example.test" in out
    entry = web_entries(demo)[-1]
    assert (entry["action"], entry["user"], entry["email"], entry["via"]) == (
        "user_contact_set", "pl-owner", "owner@example.test", "cli")  # fmt: skip


def test_the_admin_page_sets_them_and_only_the_admin(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    uid = _user_id(demo, "pl-auditor")
    path = f"/admin/users/{uid}/contact"
    assert post(people["manager"], path, email="x@example.test").status_code == 403
    bad = post(people["admin"], path, email="nobody", language="en")
    assert bad.status_code == 400 and "is not one e-mail address" in bad.text
    assert _contact(demo, "pl-auditor") == (None, None, None)
    ok = post(people["admin"], path, email="aud@example.test", language="ja",
              webhook="https://chat.example.test/hook")  # fmt: skip
    assert ok.status_code == 200 and 'value="aud@example.test"' in ok.text
    assert _contact(demo, "pl-auditor") == ("aud@example.test", "ja",
                                            "https://chat.example.test/hook")  # fmt: skip
    assert web_entries(demo)[-1]["actor"] == "pl-admin"


def test_plan_errors_speak_the_readers_language_not_the_servers(
    demo: Workspace, people: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")  # the server's own language
    manager = people["manager"]
    form = {"kind": "area", "name": "nowhere", "impact": "3", "likelihood": "3"}
    english = post(manager, "/plan/entities", **form)
    assert english.status_code == 400 and "No control of the catalog falls under" in english.text
    japanese = post(manager, "/plan/entities", headers={"accept-language": "ja,en;q=0.5"}, **form)
    assert japanese.status_code == 400 and "に該当する統制がカタログにありません" in japanese.text
    missing = manager.get("/plan/engagements/NOPE", headers={"accept-language": "ja"})
    assert missing.status_code == 404
    # the account's own language wins over the browser's
    CliRunner().invoke(cli_app, ["-w", str(demo.root), "users", "set", "pl-manager",
                                 "--language", "ja"])  # fmt: skip
    own = post(manager, "/plan/entities", headers={"accept-language": "en"}, **form)
    assert "に該当する統制がカタログにありません" in own.text and 'lang="ja"' in own.text
    monkeypatch.setenv("KANSA_LANG", "ja")  # and the server's never leaks into a reader's page
    CliRunner().invoke(cli_app, ["-w", str(demo.root), "users", "set", "pl-manager",
                                 "--language", ""])  # fmt: skip
    back = post(manager, "/plan/entities", headers={"accept-language": "en"}, **form)
    assert "No control of the catalog falls under" in back.text


def _counts(ws: Workspace) -> tuple[int, int, int]:
    with Database(ws.database_url) as db, db.session() as s:
        return (
            int(s.scalar(select(func.count()).select_from(FindingAction)) or 0),
            int(s.scalar(select(func.count()).select_from(SignOff)) or 0),
            int(s.scalar(select(func.count()).select_from(EvidenceRequest)) or 0),
        )


def test_findings_signoffs_and_requests_change_only_with_their_ledger_entry(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    auditor = people["auditor"]
    with Database(demo.database_url) as db:
        set_contact(db, "pl-auditor", language="en")  # read in English (the admin test set ja)
    fid = finding_of(demo, "CUS-001")
    run_seq = next(e.seq for e in Vault(demo.vault_dir).ledger.read() if e.kind == "run")
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    token = csrf_of(auditor.get("/account").text)
    steps = [
        (f"/findings/{fid}/comment", {"text": "seen"}),
        (f"/findings/{fid}/assign", {"assignee": "pl-owner", "due": due}),
        (f"/signoffs/{run_seq}/prepare", {}),
        ("/requests", {"assignee": "pl-owner", "due": due, "contract": "roles"}),
    ]
    before = _counts(demo)
    with torn_ledger(demo):
        for path, form in steps:
            r = auditor.post(path, data={**form, "csrf": token})
            assert r.status_code == 503, (path, r.text)
            assert "nothing was changed" in r.text
            api = auditor.post("/api" + path, json=form, headers={"x-csrf-token": token})
            assert api.status_code == 503 and "nothing was changed" in api.json()["detail"]
    assert _counts(demo) == before
    for path, form in steps:  # the ledger whole again: each goes through, with its entry
        assert auditor.post(path, data={**form, "csrf": token}).status_code == 303, path
    after = _counts(demo)
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (2, 1, 1)
