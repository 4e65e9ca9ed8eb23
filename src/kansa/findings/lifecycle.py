"""How runs move findings: open, update, close on a later pass, never close on an error.

For each control result of a run, in the finding's scope (the workspace + the control):

* **fail**, no open finding: a new finding opens; if an earlier one for the same scope was
  closed, the new one is marked ``repeat`` and points at it;
* **fail**, an open finding: it is updated (last seen, occurrences, size, rating);
* **pass**, an open finding: it closes, naming the run that passed;
* **error**: nothing closes (an error proves nothing); the open finding records the event.

Applying the same run twice changes nothing (each run is applied once per finding).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import ControlResult, Database, Finding, FindingEvent, Run
from kansa.findings.rating import rate

OPEN, CLOSED = "open", "closed"
OPENED, UPDATED, CLOSED_EVENT, ERRORED = "opened", "updated", "closed", "error"
WHOLE_CONTROL = ""  # the default scope: the whole control in the workspace


@dataclass(frozen=True)
class Change:
    """What one run did to one finding (for the CLI's summary)."""

    finding_id: int
    control_id: str
    kind: str
    rating: str
    repeat: bool


def _open_finding(s: Session, workspace: str, control_id: str, scope: str) -> Finding | None:
    return s.scalars(
        select(Finding).where(
            Finding.workspace == workspace,
            Finding.control_id == control_id,
            Finding.scope == scope,
            Finding.status == OPEN,
        )
    ).one_or_none()


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


def _event(f: Finding, run: Run, kind: str, r: ControlResult, note: str = "") -> FindingEvent:
    return FindingEvent(
        finding=f,
        run_id=run.id,
        at=run.finished_at,
        kind=kind,
        rating=f.rating,
        exception_count=r.exception_count,
        population_count=r.population_count,
        note=note,
    )


def _already_applied(s: Session, f: Finding, run: Run) -> bool:
    return any(e.run_id == run.id for e in f.events)


def _open(s: Session, run: Run, r: ControlResult, owner: str) -> Finding:
    assert r.exception_count
    previous = _last_closed(s, run.workspace, r.control_id, WHOLE_CONTROL)
    rating = rate(r.severity, r.exception_count, r.population_count)
    f = Finding(
        workspace=run.workspace,
        control_id=r.control_id,
        scope=WHOLE_CONTROL,
        severity=r.severity,
        rating=rating.rating,
        status=OPEN,
        repeat=previous is not None,
        previous_id=previous.id if previous else None,
        owner=owner,
        first_seen_run_id=run.id,
        last_seen_run_id=run.id,
        first_seen_at=run.finished_at,
        last_seen_at=run.finished_at,
        occurrences=1,
        exception_count=r.exception_count,
        population_count=r.population_count,
    )
    s.add(f)
    note = f"repeat of finding {previous.id}" if previous else ""
    s.add(_event(f, run, OPENED, r, note))
    return f


def _update(s: Session, f: Finding, run: Run, r: ControlResult) -> None:
    assert r.exception_count
    f.rating = rate(r.severity, r.exception_count, r.population_count).rating
    f.severity = r.severity
    f.last_seen_run_id = run.id
    f.last_seen_at = run.finished_at
    f.occurrences += 1
    f.exception_count = r.exception_count
    f.population_count = r.population_count
    s.add(_event(f, run, UPDATED, r))


def _close(s: Session, f: Finding, run: Run, r: ControlResult) -> None:
    f.status = CLOSED
    f.closed_at = run.finished_at
    f.closed_run_id = run.id
    s.add(_event(f, run, CLOSED_EVENT, r, "a later run passed the control"))


def _apply_one(s: Session, run: Run, r: ControlResult, owner: str) -> Change | None:
    f = _open_finding(s, run.workspace, r.control_id, WHOLE_CONTROL)
    if f is not None and _already_applied(s, f, run):
        return None
    if r.status == "fail":
        if f is None:
            f = _open(s, run, r, owner)
            s.flush()
            return Change(f.id, r.control_id, OPENED, f.rating, f.repeat)
        _update(s, f, run, r)
        return Change(f.id, r.control_id, UPDATED, f.rating, f.repeat)
    if f is None:
        return None
    if r.status == "pass":
        _close(s, f, run, r)
        return Change(f.id, r.control_id, CLOSED_EVENT, f.rating, f.repeat)
    s.add(_event(f, run, ERRORED, r, "the control errored; the finding stays open"))
    return Change(f.id, r.control_id, ERRORED, f.rating, f.repeat)


def apply_run(db: Database, run_id: str, owners: dict[str, str] | None = None) -> list[Change]:
    """Move the findings of ``run_id``'s workspace by its control results; return the changes.

    ``owners``: control id -> owner role, copied onto newly opened findings.
    """
    changes: list[Change] = []
    with db.session() as s:
        run = s.get(Run, run_id)
        if run is None:
            raise KeyError(f"no run {run_id} in the app database")
        for r in run.results:
            change = _apply_one(s, run, r, (owners or {}).get(r.control_id, ""))
            if change is not None:
                changes.append(change)
    return changes
