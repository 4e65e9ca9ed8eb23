"""What a server process keeps from the app database (kansa.web.memo) is served while nothing
changed, and is fresh on the very next request after a run lands or a finding changes, whoever
wrote (the CLI, another process, a hand-typed statement)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from fastapi.testclient import TestClient
from helpers_web import BASE, a_failing_control, kansa
from sqlalchemy import select, text

from kansa.appdb import Database, Finding, Run
from kansa.web import api_tokens, create_app
from kansa.web.accounts import add_user, list_users
from kansa.workspace import Workspace


def _client(ws: Workspace, username: str) -> TestClient:
    with Database(ws.database_url) as db:
        add_user(db, username, "auditor")
        user = next(u for u in list_users(db) if u.username == username)
        token = api_tokens.create(db, user, "t", "auditor", 1, dt.datetime.now(dt.UTC))
    return TestClient(create_app(ws), base_url=BASE, headers={"Authorization": f"Bearer {token}"})


def _newest_run(ws: Workspace) -> str:
    with Database(ws.database_url) as db, db.session() as s:
        return s.scalars(select(Run.id).order_by(Run.started_at.desc())).first() or ""


def test_kept_while_unchanged_and_fresh_after_a_run_or_a_finding_change(demo: Workspace) -> None:
    c = _client(demo, "fresh")
    memo = c.app.state.kansa.memo  # type: ignore[attr-defined]
    control, _unit = a_failing_control(demo)
    first = c.get("/api/overview").json()
    history = c.get(f"/api/controls/{control}").json()["history"]
    assert c.get(f"/api/controls/{control}/exceptions").json()["run"] == history[0]["run"]
    computed = memo.computed
    assert c.get("/api/overview").json() == first  # nothing changed: served from memory
    assert c.get(f"/api/controls/{control}").json()["history"] == history
    assert memo.computed == computed

    kansa("-w", str(demo.root), "run")  # a new run, written by the CLI
    new_run = _newest_run(demo)
    assert new_run != first["runs"][0]["id"]
    after_run = c.get("/api/overview").json()
    assert after_run["runs"][0]["id"] == new_run
    assert c.get(f"/api/controls/{control}").json()["history"][0]["run"] == new_run
    assert c.get(f"/api/controls/{control}/exceptions").json()["run"] == new_run
    assert after_run["heat_map"]["grid"] != first["heat_map"]["grid"]  # one more day

    with Database(demo.database_url) as db:  # another tool rates every open finding down
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE findings SET rating = 'deficiency' WHERE status = 'open'"))
        with db.session() as s:
            open_now = list(s.scalars(select(Finding).where(Finding.status == "open")))
    assert after_run["findings_by_rating"] != {"deficiency": len(open_now)}
    assert c.get("/api/overview").json()["findings_by_rating"] == dict(
        Counter(f.rating for f in open_now)
    )


def test_an_overdue_finding_is_escalated_on_the_next_request(demo: Workspace) -> None:
    c = _client(demo, "late")
    assert 'id="overdue"' not in c.get("/").text
    with Database(demo.database_url) as db, db.session() as s:
        finding = s.scalars(select(Finding).where(Finding.status == "open")).first()
        assert finding is not None
        finding.due_date = dt.date(2020, 1, 1)
        fid = finding.id
    page = c.get("/").text
    assert 'id="overdue"' in page and f'href="/findings/{fid}"' in page
