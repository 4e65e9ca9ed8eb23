"""Coverage before verdicts: what data a control's verdict stands on.

An audit tool must never pass on data it did not see (issue 9). Before a verdict is given:

* a control whose input dataset was never loaded is **not tested** (未実施), with the reason;
  it is not run at all (an error would suggest the control is broken, a pass would be false);
* a control whose dated input misses a day of the tested period is **incomplete**, with the
  missing days; it is run (its rows are kept as evidence) but its verdict is never a pass.

The tested period of a dated dataset runs from the run's ``period_start`` (``kansa run
--from``), else from the dataset's first loaded day, to the run's as-of day: every day in it
must have been loaded (a day with no records is loaded as an empty day, ``--day``). Reference
datasets (staff, wallets...) are whole tables and have no days to miss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kansa.engine.execute import Job
from kansa.engine.result import FAIL, INCOMPLETE, NOT_TESTED, PASS, ControlOutcome
from kansa.engine.sandbox import ENGINE_NAME
from kansa.i18n import tr
from kansa.vault import Snapshot


def missing_days(snap: Snapshot, start: dt.date | None, as_of: dt.date) -> list[dt.date]:
    """Days of ``[start or first loaded day, as_of]`` the dated snapshot does not hold."""
    days = set(snap.days)
    first = min(start or min(days, default=as_of), as_of)
    span = (as_of - first).days + 1
    return [d for d in (first + dt.timedelta(n) for n in range(span)) if d not in days]


def unseen_inputs(datasets: list[str], snapshots: Mapping[str, Snapshot]) -> list[str]:
    """The inputs a verdict could not stand on: never loaded, or loaded with no rows at all
    (a whole table that is empty, or a dated dataset with no day loaded). A dated dataset
    whose days were loaded empty (``--day``) was seen: nothing happened those days."""
    out = []
    for name in datasets:
        snap = snapshots.get(name)
        if snap is None or (snap.rows == 0 and not snap.days):
            out.append(name)
    return out


def not_tested(
    job: Job,
    unseen: list[str],
    snapshots: Mapping[str, Snapshot] | None = None,
    engine: str = ENGINE_NAME,
) -> ControlOutcome:
    """The outcome of a control that was not run because its ``unseen`` inputs hold no data."""
    c = job.control
    return ControlOutcome(
        control_id=c.id,
        version=c.version,
        version_hash=c.version_hash,
        severity=c.severity,
        area=c.area,
        owner=c.owner,
        key=c.key,
        parameters=dict(job.parameters),
        snapshots={},
        engine=engine,
        status=NOT_TESTED,
        population_count=None,
        exception_count=None,
        duration_s=0.0,
        reason=unseen_reason(unseen, snapshots or {}),
        coverage={"missing_datasets": unseen},
    )


def unseen_reason(unseen: list[str], snapshots: Mapping[str, Snapshot]) -> str:
    """Why a control is not tested: its inputs never loaded, or loaded with no rows."""
    never = [d for d in unseen if d not in snapshots]
    empty = [d for d in unseen if d in snapshots]
    parts = []
    if never:
        parts.append(
            tr(f"no data loaded for {', '.join(never)}", f"{', '.join(never)} のデータが未投入")
        )
    if empty:
        parts.append(
            tr(
                f"{', '.join(empty)} loaded with no rows",
                f"{', '.join(empty)} は 0 行で投入されています",
            )
        )
    return tr("; ", "。").join(parts)


def day_spans(days: list[dt.date]) -> str:
    """``2026-11-03, 2026-11-05..2026-11-07`` (runs of consecutive days collapsed)."""
    out: list[str] = []
    start = prev = days[0]
    for d in [*days[1:], None]:
        if d is not None and d == prev + dt.timedelta(1):
            prev = d
            continue
        out.append(start.isoformat() if start == prev else f"{start}..{prev}")
        if d is not None:
            start = prev = d
    return ", ".join(out)


def judge(
    outcome: ControlOutcome,
    datasets: list[str],
    snapshots: Mapping[str, Snapshot],
    start: dt.date | None,
    as_of: dt.date,
) -> ControlOutcome:
    """``outcome`` with the coverage of its dated inputs; a pass or fail on inputs that miss
    days becomes ``incomplete``."""
    dated = {d: snapshots[d] for d in datasets if d in snapshots and snapshots[d].dated}
    if not dated:
        return outcome
    report: dict[str, Any] = {"to": as_of.isoformat(), "datasets": {}}
    gaps: dict[str, list[dt.date]] = {}
    for name, snap in sorted(dated.items()):
        missing = missing_days(snap, start, as_of)
        first = min(start or min(snap.days, default=as_of), as_of)
        report["datasets"][name] = {
            "from": first.isoformat(),
            "missing": [d.isoformat() for d in missing],
        }
        if missing:
            gaps[name] = missing
    if not gaps or outcome.status not in (PASS, FAIL):
        return replace(outcome, coverage=report)
    reason = "; ".join(f"{n} misses {len(m)} day(s): {day_spans(m)}" for n, m in gaps.items())
    return replace(outcome, status=INCOMPLETE, coverage=report, reason=reason)
