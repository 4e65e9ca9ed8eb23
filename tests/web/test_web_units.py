"""Units (departments) on the admin page and in `kansa units`: create, rename, deactivate,
assign people; every change on the ledger; refusals change nothing."""

from __future__ import annotations

from helpers_web import csrf_of, signed_in, web_entries
from sqlalchemy import select
from typer.testing import CliRunner

from kansa.appdb import Database, Unit, User
from kansa.cli.app import app as cli_app
from kansa.web.accounts import AccountError
from kansa.workspace import Workspace


def _unit(ws: Workspace, name: str) -> Unit | None:
    with Database(ws.database_url) as db, db.session() as s:
        return s.scalars(select(Unit).where(Unit.name == name)).one_or_none()


def _unit_of(ws: Workspace, username: str) -> str | None:
    with Database(ws.database_url) as db, db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return user.unit.name if user.unit else None


def test_admin_creates_renames_assigns_and_deactivates_a_unit(demo: Workspace) -> None:
    admin, _ = signed_in(demo, "units-admin", "admin")
    signed_in(demo, "units-member", "auditor")
    page = admin.get("/admin/units")
    assert page.status_code == 200 and 'id="units"' in page.text
    csrf = csrf_of(page.text)
    before = len(web_entries(demo))

    assert admin.post("/admin/units", data={"name": "compliance", "title": "Compliance",
                                            "csrf": csrf}).status_code == 303  # fmt: skip
    r = admin.post(
        "/admin/units/compliance/rename", data={"title": "コンプライアンス部", "csrf": csrf}
    )
    assert r.status_code == 303
    unit = _unit(demo, "compliance")
    assert unit is not None and unit.title == "コンプライアンス部" and unit.active

    with Database(demo.database_url) as db, db.session() as s:
        member = s.scalars(select(User.id).where(User.username == "units-member")).one()
    assert (
        admin.post(
            f"/admin/users/{member}/unit", data={"unit": "compliance", "csrf": csrf}
        ).status_code
        == 303
    )
    assert _unit_of(demo, "units-member") == "compliance"

    # a unit with members is not deactivated: one clear message, nothing changed
    r = admin.post("/admin/units/compliance/active", data={"csrf": csrf})
    assert r.status_code == 400 and "still has 1 member" in r.text
    assert _unit(demo, "compliance").active  # type: ignore[union-attr]

    admin.post(f"/admin/users/{member}/unit", data={"unit": "", "csrf": csrf})
    assert _unit_of(demo, "units-member") is None
    assert admin.post("/admin/units/compliance/active", data={"csrf": csrf}).status_code == 303
    assert not _unit(demo, "compliance").active  # type: ignore[union-attr]
    # nobody joins a deactivated unit
    r = admin.post(f"/admin/users/{member}/unit", data={"unit": "compliance", "csrf": csrf})
    assert r.status_code == 400 and "deactivated" in r.text
    assert _unit_of(demo, "units-member") is None

    entries = [e for e in web_entries(demo)[before:] if e["actor"] == "units-admin"]
    assert [e["action"] for e in entries] == [
        "unit_added", "unit_renamed", "user_unit_set", "user_unit_set", "unit_deactivated",
    ]  # fmt: skip
    assert entries[1]["title"] == "コンプライアンス部" and entries[2]["user"] == "units-member"


def test_bad_unit_input_changes_nothing(demo: Workspace) -> None:
    admin, _ = signed_in(demo, "units-admin2", "admin")
    csrf = csrf_of(admin.get("/admin/units").text)
    before = len(web_entries(demo))
    for data in ({"name": "Bad Name"}, {"name": "x", "title": "y" * 201}):
        r = admin.post("/admin/units", data={**data, "csrf": csrf})
        assert r.status_code in (400, 422), r.text
    assert (
        admin.post("/admin/units/nosuch/rename", data={"title": "t", "csrf": csrf}).status_code
        == 400
    )
    assert _unit(demo, "bad name") is None and len(web_entries(demo)) == before


def test_a_control_owner_keeps_a_unit(demo: Workspace) -> None:
    admin, _ = signed_in(demo, "units-admin3", "admin")
    signed_in(demo, "units-owner", "control_owner", unit="treasury")
    csrf = csrf_of(admin.get("/admin/units").text)
    with Database(demo.database_url) as db, db.session() as s:
        owner = s.scalars(select(User.id).where(User.username == "units-owner")).one()
    r = admin.post(f"/admin/users/{owner}/unit", data={"unit": "", "csrf": csrf})
    assert r.status_code == 400 and "control owner needs a unit" in r.text
    assert _unit_of(demo, "units-owner") == "treasury"


def test_only_the_admin_manages_units_and_the_page_speaks_japanese(demo: Workspace) -> None:
    auditor, _ = signed_in(demo, "units-auditor", "auditor")
    assert auditor.get("/admin/units").status_code == 403
    token = csrf_of(auditor.get("/account").text)
    assert auditor.post("/admin/units", data={"name": "sneaky", "csrf": token}).status_code == 403
    assert _unit(demo, "sneaky") is None
    admin, _ = signed_in(demo, "units-admin4", "admin")
    admin.cookies.set("kansa_lang", "ja")
    page = admin.get("/admin/units").text
    assert "部署を追加" in page and "無効化" in page
    assert 'href="/admin/units"' in admin.get("/").text  # in the admin's menu


def test_kansa_units_cli(demo: Workspace) -> None:
    runner = CliRunner()
    w = str(demo.root)
    before = len(web_entries(demo))
    assert (
        runner.invoke(cli_app, ["-w", w, "units", "add", "legal", "--title", "Legal"]).exit_code
        == 0
    )
    assert runner.invoke(cli_app, ["-w", w, "units", "rename", "legal", "法務部"]).exit_code == 0
    out = runner.invoke(cli_app, ["-w", w, "units", "list"]).output
    assert "legal" in out and "法務部" in out
    signed_in(demo, "units-cli", "viewer")
    assert runner.invoke(cli_app, ["-w", w, "units", "assign", "units-cli", "legal"]).exit_code == 0
    r = runner.invoke(cli_app, ["-w", w, "units", "deactivate", "legal"])
    assert isinstance(r.exception, AccountError) and r.exception.exit_code == 2
    assert "member" in r.exception.message
    assert runner.invoke(cli_app, ["-w", w, "units", "assign", "units-cli", "-"]).exit_code == 0
    assert runner.invoke(cli_app, ["-w", w, "units", "deactivate", "legal"]).exit_code == 0
    actions = [e["action"] for e in web_entries(demo)[before:] if e.get("via") == "cli"]
    assert actions == ["unit_added", "unit_renamed", "user_unit_set", "user_unit_set",
                       "unit_deactivated"]  # fmt: skip
