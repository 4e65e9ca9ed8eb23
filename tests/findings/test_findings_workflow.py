"""The findings workflow, on SQLite and PostgreSQL: each step checked, each a ledger entry naming
its actor, and `kansa verify` intact after all of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kansa.appdb import Database, Finding
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.findings import (
    accept_risk,
    apply_run,
    assign,
    attach,
    close,
    comment,
    decide_rerating,
    finding_history,
    list_findings,
    move,
    overdue,
    propose_rerating,
    reopen_expired,
    respond,
)
from kansa.vault import Vault, sha256_file, verify_vault
from kansa.workflow import Desk, Policy, WorkflowError
from kansa.workspace import Workspace

NEGATIVE = "select customer_id, asset, as_of, balance from customer_balances where balance < 0"
Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def book(negatives: int, total: int = 100) -> list[dict[str, Any]]:
    return [
        {"as_of": "2026-11-20", "customer_id": f"C{i:04d}", "asset": "BTC",
         "balance": str(-5 if i < negatives else 100)}
        for i in range(total)
    ]  # fmt: skip


@pytest.fixture
def control(make_control: Callable[..., Control]) -> Control:
    return make_control(
        "TST-401", NEGATIVE, population_sql="select * from customer_balances", severity="high"
    )


def run_and_apply(ws: Workspace, control: Control) -> str:
    run = run_controls(ws, [control], progress=False)
    with Database(ws.database_url) as db:
        apply_run(db, run.run_id, {control.id: control.owner})
    return run.run_id


@contextmanager
def desk(
    ws: Workspace, actor: str, now: dt.datetime | None = None, policy: Policy | None = None
) -> Iterator[Desk]:
    """A desk at the clock's time, or at ``now`` (expiries, due dates)."""
    with Database(ws.database_url) as db:
        d = Desk(db, Vault(ws.vault_dir), ws.config.name, actor, policy or Policy())
        yield d if now is None else Desk(d.db, d.vault, d.workspace, actor, d.policy, now)


def the_finding(ws: Workspace) -> Finding:
    with Database(ws.database_url) as db:
        (f,) = list_findings(db, ws.config.name)
    return f


def finding_entries(ws: Workspace) -> list[Any]:
    return [e for e in Vault(ws.vault_dir).ledger.read() if e.kind == "finding"]


@pytest.fixture
def failing(db_workspace: Workspace, put_snapshot: Put, control: Control) -> Finding:
    put_snapshot(db_workspace, "customer_balances", book(negatives=3))
    run_and_apply(db_workspace, control)
    return the_finding(db_workspace)


def test_a_finding_closes_only_after_a_passing_run_and_a_reviewers_signature(
    db_workspace: Workspace, put_snapshot: Put, control: Control, failing: Finding
) -> None:
    ws, fid = db_workspace, failing.id
    with desk(ws, "Auditor Ito") as d:
        assign(d, fid, "Owner Kato", dt.date(2026, 12, 15), unit="treasury")
    with desk(ws, "Owner Kato") as d:
        with pytest.raises(WorkflowError, match="cannot move"):
            move(d, fid, "ready_for_retest")  # an open finding is answered first
        respond(d, fid, "We agree.", "Daily reconciliation from December.")
        move(d, fid, "in_remediation")
        move(d, fid, "ready_for_retest")
    with desk(ws, "Reviewer Sato") as d, pytest.raises(WorkflowError, match="later run passes"):
        close(d, fid)  # the owner says it is fixed; no run has shown it yet
    put_snapshot(ws, "customer_balances", book(negatives=0))
    retest = run_and_apply(ws, control)
    f = the_finding(ws)
    assert (f.status, f.state, f.retest_run_id) == ("open", "retest_passed", retest)
    for management in ("Owner Kato",):
        with desk(ws, management) as d, pytest.raises(WorkflowError, match="another person"):
            close(d, fid)
    with desk(ws, "Reviewer Sato") as d:
        close(d, fid, "retest reviewed")
    f = the_finding(ws)
    assert (f.status, f.state, f.closed_by, f.closed_run_id) == (
        "closed", "closed", "Reviewer Sato", retest,
    )  # fmt: skip
    entries = finding_entries(ws)
    assert [(e.payload["action"], e.actor) for e in entries] == [
        ("assigned", "Auditor Ito"),
        ("responded", "Owner Kato"),
        ("moved", "Owner Kato"),
        ("moved", "Owner Kato"),
        ("closed", "Reviewer Sato"),
    ]
    assert all(e.payload["finding_id"] == fid for e in entries)
    report = verify_vault(Vault(ws.vault_dir))
    assert report.ok, report.issues
    with Database(ws.database_url) as db:
        steps = finding_history(db, ws.config.name, fid)
    assert [s.what for s in steps] == [
        "opened", "assigned", "responded", "moved", "moved", "retest_passed", "closed",
    ]  # fmt: skip
    assert [s.ledger_seq for s in steps if s.who == "Reviewer Sato"] == [entries[-1].seq]


def test_a_retest_that_fails_sends_the_finding_back_to_remediation(
    db_workspace: Workspace, put_snapshot: Put, control: Control, failing: Finding
) -> None:
    ws = db_workspace
    with desk(ws, "Owner Kato") as d:
        respond(d, failing.id, "Agreed.", "Fix it.")
        move(d, failing.id, "in_remediation")
        move(d, failing.id, "ready_for_retest")
    run_and_apply(ws, control)  # still 3 negative balances
    f = the_finding(ws)
    assert (f.state, f.retest_run_id) == ("in_remediation", None)
    assert "retest" in f.events[-1].note


def test_a_refused_step_changes_nothing(db_workspace: Workspace, failing: Finding) -> None:
    ws = db_workspace
    before = Vault(ws.vault_dir).ledger.head()
    with desk(ws, "Owner Kato") as d:
        for step in (
            lambda: respond(d, failing.id, "  ", "plan"),
            lambda: respond(d, failing.id, "answer", ""),
            lambda: move(d, failing.id, "closed"),
            lambda: close(d, failing.id),
            lambda: assign(d, 999, "someone", None),
            lambda: comment(d, failing.id, ""),
        ):
            with pytest.raises(WorkflowError):
                step()
    assert Vault(ws.vault_dir).ledger.head() == before
    f = the_finding(ws)
    assert (f.state, f.response, f.assignee) == ("open", "", "")


def test_a_rerating_needs_a_reason_and_a_second_persons_approval(
    db_workspace: Workspace, put_snapshot: Put, control: Control, failing: Finding
) -> None:
    ws, fid = db_workspace, failing.id
    assert failing.rating == "significant_deficiency"  # 3 of 100: recurring, high
    with desk(ws, "Auditor Ito") as d:
        with pytest.raises(WorkflowError, match="reason"):
            propose_rerating(d, fid, "material_weakness", "")
        with pytest.raises(WorkflowError, match="Unknown rating"):
            propose_rerating(d, fid, "catastrophic", "why")
        propose_rerating(d, fid, "material_weakness", "customer funds at risk")
        with pytest.raises(WorkflowError, match="another person"):
            decide_rerating(d, fid, approve=True)
    assert the_finding(ws).rating == "significant_deficiency"  # not before approval
    only_sato = Policy(reviewers=frozenset({"Reviewer Sato"}))
    with (
        desk(ws, "Outsider", policy=only_sato) as d,
        pytest.raises(WorkflowError, match="not a reviewer"),
    ):
        decide_rerating(d, fid, approve=True)
    with desk(ws, "Reviewer Sato") as d:
        decide_rerating(d, fid, approve=True)
    assert the_finding(ws).rating == "material_weakness"
    run_and_apply(ws, control)  # the rule alone would say significant deficiency again
    assert the_finding(ws).rating == "material_weakness"
    with desk(ws, "Reviewer Sato") as d:  # down, then rejected: the approved rating stands
        propose_rerating(d, fid, "deficiency", "compensating control")
    with desk(ws, "Auditor Ito") as d:
        decide_rerating(d, fid, approve=False)
    assert the_finding(ws).rating == "material_weakness"
    actions = [(e.payload["action"], e.actor) for e in finding_entries(ws)]
    assert actions == [
        ("rerate_requested", "Auditor Ito"),
        ("rerate_approved", "Reviewer Sato"),
        ("rerate_requested", "Reviewer Sato"),
        ("rerate_rejected", "Auditor Ito"),
    ]


def test_risk_acceptance_needs_the_role_a_reason_an_expiry_and_reopens_at_the_expiry(
    db_workspace: Workspace, failing: Finding
) -> None:
    ws, fid = db_workspace, failing.id
    cae = Policy(risk_acceptors=frozenset({"CAE Tanaka"}))
    with (
        desk(ws, "Owner Kato", now=NOW, policy=cae) as d,
        pytest.raises(WorkflowError, match="accept"),
    ):
        accept_risk(d, fid, "legacy system", dt.date(2027, 1, 31))
    with desk(ws, "CAE Tanaka", now=NOW, policy=cae) as d:
        with pytest.raises(WorkflowError, match="reason"):
            accept_risk(d, fid, "", dt.date(2027, 1, 31))
        with pytest.raises(WorkflowError, match="after today"):
            accept_risk(d, fid, "legacy system", NOW.date())
        accept_risk(d, fid, "legacy system until its replacement", dt.date(2027, 1, 31))
    f = the_finding(ws)
    assert (f.state, f.accepted_until, f.accepted_by) == (
        "accepted", dt.date(2027, 1, 31), "CAE Tanaka",
    )  # fmt: skip
    with desk(ws, "Auditor Ito", now=NOW + dt.timedelta(days=30)) as d:
        assert reopen_expired(d) == []  # 2026-12-31: still accepted
    with desk(ws, "Auditor Ito", now=dt.datetime(2027, 1, 31, tzinfo=dt.UTC)) as d:
        assert reopen_expired(d) == [fid]  # the expiry day has come: reopened when read
        assert reopen_expired(d) == []
    assert the_finding(ws).state == "open"
    last = finding_entries(ws)[-1]
    assert (last.payload["action"], last.payload["accepted_until"]) == (
        "acceptance_expired", "2027-01-31",
    )  # fmt: skip
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_an_expired_acceptance_reopens_before_any_step(
    db_workspace: Workspace, failing: Finding
) -> None:
    ws, fid = db_workspace, failing.id
    cae = Policy(risk_acceptors=frozenset({"CAE Tanaka"}))
    with desk(ws, "CAE Tanaka", now=NOW, policy=cae) as d:
        accept_risk(d, fid, "accepted for a month", dt.date(2026, 12, 31))
    with desk(ws, "Owner Kato", now=dt.datetime(2027, 2, 1, tzinfo=dt.UTC)) as d:
        respond(d, fid, "We will fix it now.", "Replace the system.")  # possible only if open
    assert the_finding(ws).state == "answered"


def test_comments_and_attachments_go_to_the_ledger_and_the_vault(
    db_workspace: Workspace, failing: Finding, tmp_path: Path
) -> None:
    ws, fid = db_workspace, failing.id
    doc = tmp_path / "plan.pdf"
    doc.write_bytes(b"%PDF-1.4 remediation plan")
    with desk(ws, "Owner Kato") as d:
        comment(d, fid, "Plan attached.")
        a = attach(d, fid, doc, "signed plan")
        with pytest.raises(WorkflowError, match="not a regular file"):
            attach(d, fid, tmp_path, "")
    digest = sha256_file(doc)
    rel = a.details["path"]
    assert rel == f"attachments/findings/{fid}/{digest}.pdf"
    assert (ws.vault_dir / rel).read_bytes() == doc.read_bytes()
    entry = finding_entries(ws)[-1]
    assert (entry.payload["action"], entry.outputs) == ("attached", {rel: digest})
    assert entry.payload["name"] == "plan.pdf" and entry.actor == "Owner Kato"
    assert verify_vault(Vault(ws.vault_dir)).ok


def test_overdue_lists_what_the_owner_still_owes_past_its_due_date(
    db_workspace: Workspace, failing: Finding
) -> None:
    ws, fid = db_workspace, failing.id
    with desk(ws, "Auditor Ito") as d:
        assign(d, fid, "Owner Kato", dt.date(2026, 11, 30))
        assert [f.id for f in overdue(d.db, ws.config.name, NOW.date())] == [fid]
        assert overdue(d.db, ws.config.name, dt.date(2026, 11, 30)) == []  # due today: not yet
    with desk(ws, "Owner Kato") as d:
        respond(d, fid, "Agreed.", "Fix.")
        move(d, fid, "in_remediation")
        assert [f.id for f in overdue(d.db, ws.config.name, NOW.date())] == [fid]
        move(d, fid, "ready_for_retest")  # the owner's part is done
        assert overdue(d.db, ws.config.name, NOW.date()) == []


def test_a_refused_step_after_an_expiry_still_reopens_once(
    db_workspace: Workspace, failing: Finding
) -> None:
    ws, fid = db_workspace, failing.id
    cae = Policy(risk_acceptors=frozenset({"CAE Tanaka"}))
    with desk(ws, "CAE Tanaka", now=NOW, policy=cae) as d:
        accept_risk(d, fid, "accepted for a month", dt.date(2026, 12, 31))
    later = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    with desk(ws, "Owner Kato", now=later) as d, pytest.raises(WorkflowError):
        move(d, fid, "ready_for_retest")  # refused: but the expiry it found stands
    with desk(ws, "Owner Kato", now=later) as d:
        assert reopen_expired(d) == []
    assert the_finding(ws).state == "open"
    actions = [e.payload["action"] for e in finding_entries(ws)]
    assert actions == ["risk_accepted", "acceptance_expired"]


def test_a_reviewer_of_the_findings_unit_cannot_sign_its_closure(
    db_workspace: Workspace, put_snapshot: Put, control: Control, failing: Finding
) -> None:
    from kansa.web.accounts import add_user

    ws, fid = db_workspace, failing.id
    with Database(ws.database_url) as db:
        add_user(db, "sato", "reviewer", unit="treasury")
        add_user(db, "mori", "reviewer", unit="internal_audit")
    with desk(ws, "Auditor Ito") as d:
        assign(d, fid, "Owner Kato", dt.date(2026, 12, 15), unit="treasury")
    put_snapshot(ws, "customer_balances", book(negatives=0))
    run_and_apply(ws, control)
    with desk(ws, "sato") as d, pytest.raises(WorkflowError, match="own unit's work"):
        close(d, fid)
    assert the_finding(ws).state == "retest_passed"
    with desk(ws, "mori") as d:
        close(d, fid)
    assert the_finding(ws).state == "closed"
