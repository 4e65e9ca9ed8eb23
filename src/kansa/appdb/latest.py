"""Keeping ``latest_results`` (each control's newest run) in step with every result written.

A session of :class:`kansa.appdb.Database` calls :func:`note_new_results` before each flush:
every new :class:`ControlResult` moves its control's pointer to its run when that run started
later than the one pointed at. Doing it on the flush, not in each writer, means no way of
recording a run (``kansa run``, a reconcile from the ledger, a replay, a test) can forget it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from kansa.appdb.models import ControlResult, LatestResult, Run


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def note_new_results(session: Session, _context: Any, _instances: Any) -> None:
    """``before_flush`` hook: point each new result's control at its run if it is newer."""
    with session.no_autoflush:
        newest: dict[tuple[str, str], Run] = {}
        for obj in list(session.new):
            if not isinstance(obj, ControlResult):
                continue
            run = obj.run if obj.run is not None else session.get(Run, obj.run_id)
            if run is None:
                continue
            key = (run.workspace, obj.control_id)
            if key not in newest or _aware(run.started_at) > _aware(newest[key].started_at):
                newest[key] = run
        for (workspace, control_id), run in newest.items():
            row = session.get(LatestResult, (workspace, control_id))
            if row is None:
                session.add(LatestResult(workspace=workspace, control_id=control_id, run=run,
                                         started_at=run.started_at))  # fmt: skip
            elif _aware(run.started_at) >= _aware(row.started_at):
                row.run, row.started_at = run, run.started_at
