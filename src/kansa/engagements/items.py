"""The work an engagement performed: runs, workpapers (a sample drawn and evaluated, a Benford
test...) and reports of the vault, linked to the engagement by their ledger entry.

A link names the entry's hash: the engagement report lists each item with it and with the
SHA-256 of its files, and the item's sign-offs are checked against the same hashes.
"""

from __future__ import annotations

from sqlalchemy import select

from kansa.appdb import Engagement, EngagementItem
from kansa.engagements.plan import get_engagement
from kansa.engagements.records import entry_time, record
from kansa.i18n import tr
from kansa.signoff.records import find_item
from kansa.workflow import Desk, WorkflowError

LINKABLE = ("run", "workpaper")


def link_item(desk: Desk, code: str, ref: str) -> EngagementItem:
    """Link the run or workpaper ``ref`` (ledger seq, run id, workpaper id) to the engagement."""
    eng = get_engagement(desk, code)
    item, _ = find_item(desk.vault, ref)
    if item.kind not in LINKABLE:
        raise WorkflowError(
            tr(
                f"{item.label} is a {item.kind}: an engagement links runs and workpapers.",
                f"{item.label} は {item.kind} です。監査に紐付けられるのは実行と調書です。",
            )
        )
    if eng.status == "closed":
        raise WorkflowError(tr(f"Engagement {code} is closed.", f"監査 {code} は終了しています。"))
    with desk.db.session() as s:
        taken = s.scalars(
            select(EngagementItem.id).where(
                EngagementItem.engagement_id == eng.id, EngagementItem.item_seq == item.seq
            )
        ).first()
        if taken:
            raise WorkflowError(
                tr(
                    f"#{item.seq} is already linked to {code}.",
                    f"#{item.seq} は既に {code} に紐付いています。",
                )
            )
        entry = record(
            desk,
            "item_linked",
            code=code,
            item_seq=item.seq,
            item_hash=item.hash,
            item_kind=item.kind,
            item=item.label,
            files=item.outputs,
        )
        row = EngagementItem(
            engagement_id=eng.id,
            item_seq=item.seq,
            item_hash=item.hash,
            kind=item.kind,
            label=item.label,
            added_by=desk.actor,
            added_at=entry_time(entry),
            ledger_seq=entry.seq,
        )
        s.add(row)
        s.flush()
        s.expunge(row)
        return row


def items_of(desk: Desk, engagement: Engagement) -> list[EngagementItem]:
    with desk.db.session() as s:
        rows = list(
            s.scalars(
                select(EngagementItem)
                .where(EngagementItem.engagement_id == engagement.id)
                .order_by(EngagementItem.item_seq)
            )
        )
        for r in rows:
            s.expunge(r)
        return rows
