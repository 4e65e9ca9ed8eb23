"""A finding between audit and management: assign, respond, remediate, close with a sign-off.

Each step checks the finding's state (:mod:`kansa.findings.states`), records a ledger entry
naming the actor (:mod:`kansa.findings.recording`) and updates the app database in the same
transaction. A finding closes only when a later complete run passed its control (state
``retest_passed``, set by :func:`kansa.findings.apply_run`) **and** a reviewer signs the
closure; the reviewer can be neither the finding's assignee nor anyone who answered for it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kansa.appdb import ControlResult, Finding, Run
from kansa.findings.acceptance import reopen_expired
from kansa.findings.lifecycle import CLOSED as CLOSED_STATUS
from kansa.findings.recording import actors_of, load, record, require_text
from kansa.findings.states import ANSWERED, CLOSED, LABELS, MOVES, OPEN, RETEST_PASSED
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError, require_reviewer
from kansa.workflow.units import require_other_unit

# the steps taken on management's side: whoever took one cannot sign the closure
MANAGEMENT_ACTIONS = ("responded", "moved")


def _state_error(f: Finding, doing_en: str, doing_ja: str) -> WorkflowError:
    en, ja = LABELS[f.state]
    return WorkflowError(
        tr(
            f"Finding {f.id} is {en}: cannot {doing_en}.",
            f"指摘事項 {f.id} は「{ja}」のため{doing_ja}できません。",
        )
    )


def assign(
    desk: Desk, finding_id: int, assignee: str, due: dt.date | None, unit: str | None = None
) -> Finding:
    """Give ``finding_id`` to a person (and optionally a unit), due on ``due``."""
    who = require_text(assignee, "An assignee", "担当者")
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("assigned") as s:
        f = load(s, desk, finding_id)
        if f.state == CLOSED:
            raise _state_error(f, "assign it", "担当を割り当て")
        f.assignee, f.due_date = who, due
        if unit:
            f.owner = unit.strip()
        details = {"assignee": who, "due": due.isoformat() if due else None, "unit": f.owner}
        record(s, desk, f, "assigned", details)
        return f


def respond(desk: Desk, finding_id: int, response: str, action_plan: str) -> Finding:
    """Management's response and action plan: ``open`` (or ``answered``) -> ``answered``."""
    answer = require_text(response, "A management response", "経営者の回答")
    plan = require_text(action_plan, "An action plan", "改善計画")
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("responded") as s:
        f = load(s, desk, finding_id)
        if f.state not in (OPEN, ANSWERED):
            raise _state_error(f, "respond to it now", "回答")
        f.state, f.response, f.action_plan = ANSWERED, answer, plan
        record(s, desk, f, "responded", {"response": answer, "action_plan": plan})
        return f


def move(desk: Desk, finding_id: int, to: str, note: str = "") -> Finding:
    """answered -> in_remediation -> ready_for_retest (and back to in_remediation)."""
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("moved") as s:
        f = load(s, desk, finding_id)
        if to not in MOVES.get(f.state, frozenset()):
            allowed = ", ".join(sorted(MOVES.get(f.state, frozenset()))) or "-"
            raise WorkflowError(
                tr(
                    f"Finding {f.id} is {LABELS[f.state][0]}: it cannot move to {to} "
                    f"(allowed: {allowed}).",
                    f"指摘事項 {f.id} は「{LABELS[f.state][1]}」のため {to} へ進められません"
                    f"（可能: {allowed}）。",
                )
            )
        before, f.state = f.state, to
        record(s, desk, f, "moved", {"from": before, "to": to, "note": note.strip()})
        return f


def _retest_passed(desk: Desk, f: Finding) -> ControlResult:
    """The passing result of the run that retested ``f`` (checked again, never assumed)."""
    with desk.db.session() as s:
        r = s.scalars(
            select(ControlResult)
            .join(Run)
            .where(
                ControlResult.run_id == f.retest_run_id,
                ControlResult.control_id == f.control_id,
                Run.workspace == desk.workspace,
            )
        ).one_or_none()
    # a scoped finding's retest may be a failing run with no exception left in its scope
    passed = r is not None and (r.status == "pass" or (f.scope != "" and r.status == "fail"))
    if r is None or not passed:
        raise _state_error(f, "close it: no passing retest run", "クローズ（合格した再テストなし）")
    return r


def close(desk: Desk, finding_id: int, note: str = "") -> Finding:
    """A reviewer signs the closure of a finding whose retest passed."""
    require_reviewer(desk.policy, desk.actor)
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("closed") as s:
        f = load(s, desk, finding_id)
        if f.state != RETEST_PASSED or f.retest_run_id is None:
            raise _state_error(
                f, "close it until a later run passes", "クローズ（後続の実行での合格が必要）"
            )
        r = _retest_passed(desk, f)
        management = actors_of(s, f, MANAGEMENT_ACTIONS) | {f.assignee}
        if desk.actor in management:
            raise WorkflowError(
                tr(
                    f"{desk.actor} answered for finding {f.id}: another person must sign "
                    "its closure.",
                    f"{desk.actor} は指摘事項 {f.id} の対応者のため、クローズの承認は"
                    "別の者が行ってください。",
                )
            )
        require_other_unit(s, desk.actor, management, f"finding {f.id}", f.owner)
        f.state, f.status = CLOSED, CLOSED_STATUS
        f.closed_at, f.closed_run_id, f.closed_by = desk.now, f.retest_run_id, desk.actor
        run = s.get(Run, r.run_id)
        details = {
            "retest_run_id": r.run_id,
            "retest_ledger_hash": run.ledger_hash if run else None,
            "note": note.strip(),
        }
        record(s, desk, f, "closed", details)
        return f
