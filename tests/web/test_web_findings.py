"""The findings workflow on the web: each step by the role allowed to take it, a control owner
kept inside their unit, every step a ledger entry naming the signed-in user, a closure only after
a passing run and by a reviewer of another unit, overdue findings escalated on the overview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_web import csrf_of, finding_of, kansa, signed_in

from kansa.appdb import Database
from kansa.findings import list_findings
from kansa.vault import Vault, sha256_file, verify_vault
from kansa.workspace import Workspace

CONTROL = "CUS-001"  # fails in the demo (cold share); owned by treasury


@pytest.fixture(scope="module")
def people(demo: Workspace) -> dict[str, TestClient]:
    who = {
        "auditor": ("auditor", None),
        "owner": ("control_owner", "treasury"),
        "stranger": ("control_owner", "infosec"),
        "reviewer": ("reviewer", "internal_audit"),
        "peer": ("reviewer", "treasury"),
        "manager": ("audit_manager", None),
    }
    out = {}
    for name, (role, unit) in who.items():
        kw: dict[str, Any] = {"unit": unit} if unit else {}
        out[name], _ = signed_in(demo, f"wf-{name}", role, **kw)
    return out


def post(c: TestClient, path: str, **form: str) -> Any:
    token = csrf_of(c.get("/account").text)
    return c.post(path, data={**form, "csrf": token})


def finding_entries(ws: Workspace, fid: int) -> list[tuple[str, str]]:
    return [
        (e.payload["action"], e.actor)
        for e in Vault(ws.vault_dir).ledger.read()
        if e.kind == "finding" and e.payload.get("finding_id") == fid
    ]


def state(ws: Workspace, fid: int) -> str:
    with Database(ws.database_url) as db:
        return next(f.state for f in list_findings(db, ws.config.name) if f.id == fid)


def test_a_finding_is_assigned_answered_retested_and_closed_on_the_web(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    fid = finding_of(demo, CONTROL)
    page = f"/findings/{fid}"
    auditor, owner, stranger = people["auditor"], people["owner"], people["stranger"]
    # another unit's control owner neither sees nor answers it
    assert stranger.get(page).status_code == 404
    assert post(stranger, f"{page}/respond", response="x", plan="y").status_code == 404
    # only a control owner of the finding's unit can be the assignee
    refused = post(auditor, f"{page}/assign", assignee="wf-stranger", due="2027-01-31")
    assert refused.status_code == 409 and "not a control owner of unit treasury" in refused.text
    assert post(auditor, f"{page}/assign", assignee="wf-owner", due="2027-01-31").status_code == 303
    assert (
        post(owner, f"{page}/respond", response="Agreed.", plan="Rebalance daily.").status_code
        == 303
    )
    assert post(owner, f"{page}/move", to="in_remediation").status_code == 303
    assert post(owner, f"{page}/move", to="ready_for_retest").status_code == 303
    assert post(auditor, f"{page}/respond", response="x", plan="y").status_code == 403
    assert post(owner, f"{page}/close").status_code == 403  # a control owner never closes
    early = post(people["reviewer"], f"{page}/close")
    assert early.status_code == 409 and "later run passes" in early.text
    assert state(demo, fid) == "ready_for_retest"
    # the retest: a complete run that passes the control
    kansa("-w", str(demo.root), "run", "--controls", CONTROL, "--param",
          f"{CONTROL}.min_cold_share=0.0")  # fmt: skip
    assert state(demo, fid) == "retest_passed"
    same_unit = post(people["peer"], f"{page}/close")
    assert same_unit.status_code == 409 and "own unit" in same_unit.text
    assert post(people["reviewer"], f"{page}/close", note="retest reviewed").status_code == 303
    assert state(demo, fid) == "closed"
    shown = owner.get(page)
    assert shown.status_code == 200 and 'data-state="closed"' in shown.text
    assert "wf-reviewer" in shown.text
    assert finding_entries(demo, fid) == [
        ("assigned", "wf-auditor"),
        ("responded", "wf-owner"),
        ("moved", "wf-owner"),
        ("moved", "wf-owner"),
        ("closed", "wf-reviewer"),
    ]
    assert verify_vault(Vault(demo.vault_dir)).ok


def test_rerating_acceptance_comments_and_attachments_by_role(
    demo: Workspace, people: dict[str, TestClient], tmp_path: Any
) -> None:
    fid = finding_of(demo, "WDR-001")  # treasury too
    page = f"/findings/{fid}"
    auditor, manager, reviewer = people["auditor"], people["manager"], people["reviewer"]
    no_reason = post(auditor, f"{page}/rerate", rating="deficiency", reason=" ")
    assert no_reason.status_code == 409 and "reason" in no_reason.text.lower()
    assert (
        post(
            auditor, f"{page}/rerate", rating="deficiency", reason="compensating control"
        ).status_code
        == 303
    )
    assert post(people["owner"], f"{page}/decide", decision="approve").status_code == 403
    assert post(reviewer, f"{page}/decide", decision="approve").status_code == 303
    api = reviewer.get(f"/api/findings/{fid}").json()
    assert api["rating"] == "deficiency" and api["proposed_rating"] is None
    assert post(auditor, f"{page}/accept", reason="x", until="2030-01-01").status_code == 403
    past = post(manager, f"{page}/accept", reason="replaced in Q2", until="2020-01-01")
    assert past.status_code == 409
    assert (
        post(manager, f"{page}/accept", reason="replaced in Q2", until="2030-01-01").status_code
        == 303
    )
    assert state(demo, fid) == "accepted"
    assert post(people["owner"], f"{page}/comment", text="Evidence follows.").status_code == 303
    doc = tmp_path / "reconciliation.csv"
    doc.write_text("asset,cold_share\nBTC,0.97\n")
    token = csrf_of(people["owner"].get("/account").text)
    with doc.open("rb") as fh:
        r = people["owner"].post(f"{page}/attach", data={"csrf": token, "note": "Nov"},
                                 files={"file": ("../../reconciliation.csv", fh, "text/csv")})  # fmt: skip
    assert r.status_code == 303, r.text
    entry = next(e for e in reversed(list(Vault(demo.vault_dir).ledger.read()))
                 if e.kind == "finding" and e.payload["action"] == "attached")  # fmt: skip
    assert entry.payload["name"] == "reconciliation.csv" and entry.actor == "wf-owner"
    assert entry.payload["sha256"] == sha256_file(doc)
    stored = Vault(demo.vault_dir).root / entry.payload["path"]
    assert sha256_file(stored) == sha256_file(doc)
    actions = [a for a, _ in finding_entries(demo, fid)]
    assert actions == ["rerate_requested", "rerate_approved", "risk_accepted", "commented",
                       "attached"]  # fmt: skip


def test_overdue_findings_are_escalated_on_the_overview_within_the_unit(
    demo: Workspace, people: dict[str, TestClient]
) -> None:
    fid = finding_of(demo, "WDR-002")  # treasury
    yesterday = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)).isoformat()
    r = people["auditor"].post(
        f"/api/findings/{fid}/assign",
        json={"assignee": "wf-owner", "due": yesterday},
        headers={"x-csrf-token": csrf_of(people["auditor"].get("/account").text)},
    )
    assert r.status_code == 200 and r.json()["assignee"] == "wf-owner"
    for name in ("owner", "auditor"):
        home = people[name].get("/")
        assert 'id="overdue"' in home.text and f'href="/findings/{fid}"' in home.text
    assert f'href="/findings/{fid}"' not in people["stranger"].get("/").text
    bad = people["auditor"].post(
        f"/api/findings/{fid}/assign", json={"assignee": "wf-owner", "due": "31/12/2026"},
        headers={"x-csrf-token": csrf_of(people["auditor"].get("/account").text)},
    )  # fmt: skip
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
