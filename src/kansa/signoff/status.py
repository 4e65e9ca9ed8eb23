"""Where each item stands: its preparer's and reviewer's sign-offs (valid, or VOID and why)
and its open review notes. Read only: it re-hashes the covered files every time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kansa.appdb import Database, ReviewNote, SignOff
from kansa.signoff.items import Item, resolve, signable
from kansa.signoff.records import PREPARER, REVIEWER, ledger_by_seq
from kansa.signoff.validity import Verdict, judge
from kansa.vault import LedgerEntry, Vault


@dataclass(frozen=True)
class ItemStatus:
    item: Item
    preparer: Verdict | None
    reviewer: Verdict | None
    open_notes: tuple[ReviewNote, ...]


def _status(
    vault: Vault,
    by_seq: dict[int, LedgerEntry],
    item: Item,
    rows: list[SignOff],
    notes: list[ReviewNote],
) -> ItemStatus:
    mine = [so for so in rows if so.item_seq == item.seq]
    prepared = [so for so in mine if so.role == PREPARER]
    reviewed = [so for so in mine if so.role == REVIEWER]
    prep = judge(vault, by_seq, prepared[-1]) if prepared else None
    rev = judge(vault, by_seq, reviewed[-1], prep) if reviewed else None
    pending = tuple(n for n in notes if n.item_seq == item.seq)
    return ItemStatus(item, prep, rev, pending)


def signoff_status(
    db: Database, vault: Vault, workspace: str, ref: str | None = None, *, every: bool = False
) -> list[ItemStatus]:
    """The status of ``ref``, else of every item with a sign-off or a note (``every``: of every
    signable item), in ledger order."""
    by_seq = ledger_by_seq(vault)
    with db.session() as s:
        rows = list(
            s.scalars(select(SignOff).where(SignOff.workspace == workspace).order_by(SignOff.id))
        )
        notes = list(
            s.scalars(
                select(ReviewNote)
                .where(ReviewNote.workspace == workspace, ReviewNote.cleared_at.is_(None))
                .order_by(ReviewNote.id)
            )
        )
    if ref is not None:
        items = [resolve(list(by_seq.values()), ref)]
    else:
        touched = {so.item_seq for so in rows} | {n.item_seq for n in notes}
        items = [i for i in signable(list(by_seq.values())) if every or i.seq in touched]
        # a signed entry that vanished or changed is still listed: its sign-offs are void
        known = {i.seq for i in items}
        for so in rows:
            if so.item_seq not in known:
                known.add(so.item_seq)
                items.append(
                    Item(
                        so.item_seq,
                        so.item_hash,
                        so.item_kind,
                        "",
                        f"{so.item_kind} #{so.item_seq}",
                        {},
                    )
                )
        items.sort(key=lambda i: i.seq)
    return [_status(vault, by_seq, i, rows, notes) for i in items]
