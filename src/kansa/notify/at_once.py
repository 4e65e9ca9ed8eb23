"""Notifications when it happens: a new material weakness, a review request, a new evidence
request reach the people concerned at once, not only with the next ``kansa notify send-due``.

Called by the CLI and the web app right after the step that caused them has been committed
(a run, a preparer's sign-off, a request), with the same notices and the same sending as
:func:`kansa.notify.send_due` (:func:`kansa.notify.dispatch.send_notices`): each (notice,
person, channel) goes once, every attempt is a ``notifications`` row, a failure is recorded and
tried again by ``send-due``. Nothing here can undo the step: it is done and on the ledger
before anyone is told, and a notification that fails (or a ``[notify]`` table that cannot be
read, which ``send-due`` then reports) only leaves a notice for ``send-due``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kansa.controls.model import Control
from kansa.errors import KansaError
from kansa.findings.lifecycle import OPENED, Change
from kansa.notify.config import notify_config
from kansa.notify.dispatch import Outcome, send_notices
from kansa.notify.notices import Notice, evidence_notices, finding_notices, review_notices
from kansa.workflow import Desk
from kansa.workspace import Workspace

ACTION = "sent_at_once"
MATERIAL_WEAKNESS = "material_weakness"


def _send(desk: Desk, ws: Workspace, notices: list[Notice]) -> Outcome | None:
    if not notices:
        return None
    try:
        cfg = notify_config(ws.config.raw, ws.config.language)
        return send_notices(desk, cfg, notices, ACTION)
    except KansaError:
        # the step stands: a [notify] table send-due will report, or a batch entry the ledger
        # refused (each attempt is already a `notifications` row, retried by send-due)
        return None


def announce_run(
    desk: Desk, ws: Workspace, catalog: Mapping[str, Control], changes: Iterable[Change]
) -> Outcome | None:
    """A run opened material weaknesses: tell the audit managers and the unit's owners."""
    opened = {c.finding_id for c in changes if c.kind == OPENED and c.rating == MATERIAL_WEAKNESS}
    if not opened:
        return None
    keys = {f"{MATERIAL_WEAKNESS}:{i}" for i in opened}
    notices = finding_notices(desk.db, desk.workspace, dict(catalog), desk.today, 0)
    return _send(desk, ws, [n for n in notices if n.key in keys])


def announce_review(desk: Desk, ws: Workspace, signoff_seq: int) -> Outcome | None:
    """A preparer signed (ledger entry ``signoff_seq``): ask the reviewers."""
    key = f"review_request:{signoff_seq}"
    notices = review_notices(desk.db, desk.vault, desk.workspace)
    return _send(desk, ws, [n for n in notices if n.key == key])


def announce_request(desk: Desk, ws: Workspace, request_id: int) -> Outcome | None:
    """An evidence request was made: tell the person asked."""
    key = f"evidence_request:{request_id}"
    notices = evidence_notices(desk.db, desk.workspace, desk.today)
    return _send(desk, ws, [n for n in notices if n.key == key])
