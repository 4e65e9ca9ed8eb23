"""Re-rating a finding by judgement: proposed with a reason, approved by a second person.

The rule's rating (:mod:`kansa.findings.rating`) is a default; an auditor who judges otherwise
proposes another rating (up or down) with a reason, and a reviewer, never the proposer, approves
or rejects it. An approved rating stands over the rule's in later runs until re-rated again.
"""

from __future__ import annotations

from kansa.appdb import Finding
from kansa.findings.acceptance import reopen_expired
from kansa.findings.rating import LABELS as RATING_LABELS
from kansa.findings.rating import RATINGS
from kansa.findings.recording import load, record, require_text
from kansa.findings.states import CLOSED
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError, require_reviewer


def propose_rerating(desk: Desk, finding_id: int, rating: str, reason: str) -> Finding:
    """Ask for ``finding_id`` to be rated ``rating`` (one of :data:`RATINGS`) because ``reason``."""
    if rating not in RATINGS:
        raise WorkflowError(
            tr(
                f"Unknown rating {rating!r}: use one of {', '.join(RATINGS)}.",
                f"評価 {rating!r} は不正です（{', '.join(RATINGS)} のいずれか）。",
            )
        )
    why = require_text(reason, "A reason", "理由")
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("rerate_requested") as s:
        f = load(s, desk, finding_id)
        if f.state == CLOSED:
            raise WorkflowError(
                tr(f"Finding {f.id} is closed.", f"指摘事項 {f.id} はクローズ済みです。")
            )
        if rating == f.rating:
            raise WorkflowError(
                tr(
                    f"Finding {f.id} is already rated {RATING_LABELS[rating][0]}.",
                    f"指摘事項 {f.id} はすでに「{RATING_LABELS[rating][1]}」です。",
                )
            )
        f.proposed_rating, f.proposed_reason, f.proposed_by = rating, why, desk.actor
        record(s, desk, f, "rerate_requested", {"from": f.rating, "to": rating, "reason": why})
        return f


def decide_rerating(desk: Desk, finding_id: int, *, approve: bool, note: str = "") -> Finding:
    """A reviewer (not the proposer) approves or rejects the pending re-rating."""
    require_reviewer(desk.policy, desk.actor)
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("rerate_decided") as s:
        f = load(s, desk, finding_id)
        if f.proposed_rating is None:
            raise WorkflowError(
                tr(
                    f"Finding {f.id} has no re-rating waiting for approval.",
                    f"指摘事項 {f.id} に承認待ちの評価変更はありません。",
                )
            )
        if f.proposed_by == desk.actor:
            raise WorkflowError(
                tr(
                    f"{desk.actor} proposed this re-rating: another person must approve it.",
                    f"{desk.actor} はこの評価変更の申請者のため、承認は別の者が行ってください。",
                )
            )
        details = {
            "from": f.rating,
            "to": f.proposed_rating,
            "reason": f.proposed_reason,
            "proposed_by": f.proposed_by,
            "note": note.strip(),
        }
        if approve:
            f.rating = f.rating_override = f.proposed_rating
        f.proposed_rating, f.proposed_reason, f.proposed_by = None, "", ""
        record(s, desk, f, "rerate_approved" if approve else "rerate_rejected", details)
        return f
