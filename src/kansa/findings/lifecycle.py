"""How runs move findings: open, update, close on a later pass, never close on an error.

A finding's scope is the workspace + the control, and optionally a subset of the control's key
columns (``[findings.scope]`` in kansa.toml, e.g. ``"CUS-001" = ["asset"]``: one finding per
asset). For each control result of a run:

* **fail**: in every scope with exceptions, the open finding is updated, or a new one opens
  (marked ``repeat``, pointing at the previous one, if that scope had a finding closed before);
  a finding whose retest had been asked for or had passed goes back to remediation; an open
  finding of a scope with no exception this time has passed its retest;
* **pass**: every open finding of the control has **passed its retest** (state
  ``retest_passed``, naming the run): it is ready for closure, and closes only when a reviewer
  signs the closure (:func:`kansa.findings.workflow.close`);
* a run as of a day before the latest day a finding was seen failing proves nothing about
  remediation (looking back);
* **error**, **not_tested** (an input never loaded, or loaded empty), **incomplete** (inputs
  miss days of the period): nothing opens and no retest passes (a verdict on data the run did
  not see proves nothing); each open finding records the event. A retest passes only on a
  complete run of its control that passes (or that fails in other scopes only).

Applying the same run twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kansa.appdb import ControlResult, Database, Finding, FindingEvent, Run
from kansa.findings.rating import rate
from kansa.findings.scope import WHOLE_CONTROL, scope_counts
from kansa.findings.states import IN_REMEDIATION, RETEST_PASSED, WAITING_FOR_RETEST

OPEN, CLOSED = "open", "closed"
OPENED, UPDATED, RETEST_PASSED_EVENT, ERRORED = "opened", "updated", "retest_passed", "error"
RETEST_FAILED = "a retest run failed the control again: back to remediation"
NOT_TESTED, INCOMPLETE = "not_tested", "incomplete"
# A result that is no verdict on all the data: it neither opens nor passes a retest; open
# findings record it (event kind, note).
_NO_VERDICT = {
    "error": (ERRORED, "the control errored; the finding stays open"),
    NOT_TESTED: (
        NOT_TESTED,
        "not tested: an input dataset holds no data; the finding stays open",
    ),
    INCOMPLETE: (
        INCOMPLETE,
        "incomplete: inputs miss days of the period; the finding stays open",
    ),
}


@dataclass(frozen=True)
class Change:
    """What one run did to one finding (for the CLI's summary)."""

    finding_id: int
    control_id: str
    scope: str
    kind: str
    rating: str
    repeat: bool


def _open_findings(s: Session, workspace: str, control_id: str) -> dict[str, Finding]:
    rows = s.scalars(
        select(Finding).where(
            Finding.workspace == workspace,
            Finding.control_id == control_id,
            Finding.status == OPEN,
        )
    )
    return {f.scope: f for f in rows}


def _last_closed(s: Session, workspace: str, control_id: str, scope: str) -> Finding | None:
    return s.scalars(
        select(Finding)
        .where(
            Finding.workspace == workspace,
            Finding.control_id == control_id,
            Finding.scope == scope,
            Finding.status == CLOSED,
        )
        .order_by(Finding.id.desc())
        .limit(1)
    ).one_or_none()


def _seen_as_of(s: Session, f: Finding) -> dt.date | None:
    """The latest as-of date of a run that saw ``f`` fail (opened or updated it)."""
    return s.scalar(
        select(func.max(Run.as_of))
        .join(FindingEvent, FindingEvent.run_id == Run.id)
        .where(FindingEvent.finding_id == f.id, FindingEvent.kind.in_((OPENED, UPDATED)))
    )


LOOK_BACK = "seen failing as of an earlier day; the finding keeps its latest figures"


def _looks_back(s: Session, f: Finding, run: Run) -> bool:
    """``run`` is as of an earlier day than one that already saw ``f`` fail."""
    seen = _seen_as_of(s, f)
    return seen is not None and run.as_of < seen


def _event(
    f: Finding, run: Run, kind: str, r: ControlResult, count: int | None, note: str = ""
) -> FindingEvent:
    return FindingEvent(
        finding=f,
        run_id=run.id,
        at=run.finished_at,
        kind=kind,
        rating=f.rating,
        exception_count=count,
        population_count=r.population_count,
        note=note,
    )


def _open(s: Session, run: Run, r: ControlResult, scope: str, count: int, owner: str) -> Finding:
    previous = _last_closed(s, run.workspace, r.control_id, scope)
    f = Finding(
        workspace=run.workspace,
        control_id=r.control_id,
        scope=scope,
        severity=r.severity,
        rating=rate(r.severity, count, r.population_count).rating,
        status=OPEN,
        repeat=previous is not None,
        previous_id=previous.id if previous else None,
        owner=owner,
        first_seen_run_id=run.id,
        last_seen_run_id=run.id,
        first_seen_at=run.finished_at,
        last_seen_at=run.finished_at,
        occurrences=1,
        exception_count=count,
        population_count=r.population_count,
    )
    s.add(f)
    note = f"repeat of finding {previous.id}" if previous else ""
    s.add(_event(f, run, OPENED, r, count, note))
    s.flush()
    return f


def _update(s: Session, f: Finding, run: Run, r: ControlResult, count: int) -> None:
    # a rating changed by judgement (re-rated and approved) stands until re-rated again
    f.rating = f.rating_override or rate(r.severity, count, r.population_count).rating
    note = ""
    if f.state in WAITING_FOR_RETEST:
        f.state, f.retest_run_id, note = IN_REMEDIATION, None, RETEST_FAILED
    f.severity = r.severity
    f.last_seen_run_id = run.id
    f.last_seen_at = run.finished_at
    f.occurrences += 1
    f.exception_count = count
    f.population_count = r.population_count
    s.add(_event(f, run, UPDATED, r, count, note))


def _retest_passed(s: Session, f: Finding, run: Run, r: ControlResult, note: str) -> bool:
    """The control passed in ``f``'s scope: ready for closure, which a reviewer signs.
    False if an earlier run had passed it already (the first passing run is the retest)."""
    if f.state == RETEST_PASSED:
        return False
    f.state = RETEST_PASSED
    f.retest_run_id = run.id
    s.add(_event(f, run, RETEST_PASSED_EVENT, r, 0, note))
    return True


def _change(f: Finding, kind: str) -> Change:
    return Change(f.id, f.control_id, f.scope, kind, f.rating, f.repeat)


def _apply_one(
    s: Session, run: Run, r: ControlResult, owner: str, failing: Mapping[str, int]
) -> list[Change]:
    """``failing``: scope -> exception count in this run (empty unless the control failed)."""
    opened = _open_findings(s, run.workspace, r.control_id)
    if any(e.run_id == run.id for f in opened.values() for e in f.events):
        return []  # this run was applied already
    changes: list[Change] = []
    if r.status not in ("pass", "fail"):
        kind, note = _NO_VERDICT.get(r.status, _NO_VERDICT["error"])
        for f in opened.values():
            s.add(_event(f, run, kind, r, None, note))
            changes.append(_change(f, kind))
        return changes
    for scope, count in sorted(failing.items()):
        current = opened.get(scope)
        if current is None:
            changes.append(_change(_open(s, run, r, scope, count, owner), OPENED))
        elif _looks_back(s, current, run):
            s.add(_event(current, run, UPDATED, r, count, LOOK_BACK))
            changes.append(_change(current, UPDATED))
        else:
            _update(s, current, run, r, count)
            changes.append(_change(current, UPDATED))
    for scope, f in sorted(opened.items()):
        seen = _seen_as_of(s, f)
        if scope not in failing and (seen is None or run.as_of >= seen):
            note = (
                "a later run passed the control" if r.status == "pass" else "no exception in scope"
            )
            if _retest_passed(s, f, run, r, note):
                changes.append(_change(f, RETEST_PASSED_EVENT))
    return changes


def _failing(
    r: ControlResult, columns: Sequence[str] | None, vault_dir: Path | None
) -> dict[str, int]:
    if r.status != "fail" or not r.exception_count:
        return {}
    if not columns or vault_dir is None or not r.exceptions_file:
        return {WHOLE_CONTROL: r.exception_count}
    return scope_counts(vault_dir / r.exceptions_file, columns)


def apply_run(
    db: Database,
    run_id: str,
    owners: Mapping[str, str] | None = None,
    *,
    scopes: Mapping[str, Sequence[str]] | None = None,
    vault_dir: Path | None = None,
) -> list[Change]:
    """Move the findings of ``run_id``'s workspace by its control results; return the changes.

    ``owners``: control id -> owner role, copied onto newly opened findings. ``scopes``: control
    id -> key columns that split its findings (needs ``vault_dir`` to read the exception rows).
    """
    with db.session() as s:
        run = s.get(Run, run_id)
        if run is None:
            raise KeyError(f"no run {run_id} in the app database")
        return apply_in_session(s, run, owners, scopes=scopes, vault_dir=vault_dir)


def apply_in_session(
    s: Session,
    run: Run,
    owners: Mapping[str, str] | None = None,
    *,
    scopes: Mapping[str, Sequence[str]] | None = None,
    vault_dir: Path | None = None,
) -> list[Change]:
    """:func:`apply_run` inside the caller's transaction (recording a run and moving its
    findings then commit together, or not at all)."""
    changes: list[Change] = []
    for r in run.results:
        failing = _failing(r, (scopes or {}).get(r.control_id), vault_dir)
        owner = (owners or {}).get(r.control_id, "")
        changes.extend(_apply_one(s, run, r, owner, failing))
    return changes
