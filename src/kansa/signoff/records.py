"""Reading the sign-offs and review notes of an item, and the ledger they are checked against."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import ReviewNote, SignOff
from kansa.signoff.items import Item, resolve
from kansa.vault import LedgerEntry, Vault

PREPARER, REVIEWER = "preparer", "reviewer"
KIND = "signoff"


def ledger_by_seq(vault: Vault) -> dict[int, LedgerEntry]:
    return {e.seq: e for e in vault.ledger.read()}


def find_item(vault: Vault, ref: str) -> tuple[Item, dict[int, LedgerEntry]]:
    by_seq = ledger_by_seq(vault)
    return resolve(list(by_seq.values()), ref), by_seq


def signoffs(s: Session, workspace: str, item: Item, role: str | None = None) -> list[SignOff]:
    """Sign-offs on ``item``'s ledger entry, oldest first. Matched by position, not by hash: a
    sign-off on an entry edited since is still found, and judged void (it covers the old hash)."""
    query = select(SignOff).where(SignOff.workspace == workspace, SignOff.item_seq == item.seq)
    if role:
        query = query.where(SignOff.role == role)
    return list(s.scalars(query.order_by(SignOff.id)))


def open_notes(s: Session, workspace: str, item_seq: int) -> list[ReviewNote]:
    return list(
        s.scalars(
            select(ReviewNote)
            .where(
                ReviewNote.workspace == workspace,
                ReviewNote.item_seq == item_seq,
                ReviewNote.cleared_at.is_(None),
            )
            .order_by(ReviewNote.id)
        )
    )
