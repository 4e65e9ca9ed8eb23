"""Review notes: a reviewer's question on an item, to be cleared before the review sign-off.

A note is cleared by the person who raised it (or, where ``[workflow] reviewers`` is set, by
any reviewer): the preparer answers it, the reviewer decides it is answered. Adding and clearing
are both ``signoff`` ledger entries naming the actor.
"""

from __future__ import annotations

from sqlalchemy import select

from kansa.appdb import ReviewNote
from kansa.i18n import tr
from kansa.signoff.records import KIND, find_item
from kansa.workflow import Desk, WorkflowError


def add_note(desk: Desk, ref: str, text: str) -> ReviewNote:
    body = text.strip()
    if not body:
        raise WorkflowError(tr("A note needs text.", "ノートの内容を入力してください。"))
    item, _ = find_item(desk.vault, ref)
    with desk.change("note_added") as s:
        entry = desk.ledger(
            KIND,
            {"action": "note_added", "item_seq": item.seq, "item_hash": item.hash,
             "item": item.label, "text": body},
        )  # fmt: skip
        note = ReviewNote(
            workspace=desk.workspace, item_seq=item.seq, text=body, author=desk.actor,
            at=desk.now, ledger_seq=entry.seq,
        )  # fmt: skip
        s.add(note)
        s.flush()
        return note


def clear_note(desk: Desk, note_id: int, answer: str = "") -> ReviewNote:
    with desk.change("note_cleared") as s:
        note = s.scalars(
            select(ReviewNote).where(
                ReviewNote.id == note_id, ReviewNote.workspace == desk.workspace
            )
        ).one_or_none()
        if note is None:
            raise WorkflowError(
                tr(f"No review note {note_id}.", f"レビューノート {note_id} はありません。")
            )
        if note.cleared_at is not None:
            raise WorkflowError(
                tr(
                    f"Review note {note_id} was cleared by {note.cleared_by}.",
                    f"レビューノート {note_id} は {note.cleared_by} が解消済みです。",
                )
            )
        allowed = desk.actor == note.author or desk.actor in desk.policy.reviewers
        if not allowed:
            raise WorkflowError(
                tr(
                    f"Only {note.author}, who raised review note {note_id}, (or a reviewer) "
                    "can clear it.",
                    f"レビューノート {note_id} を解消できるのは起票者 {note.author}"
                    "（またはレビュー担当者）のみです。",
                )
            )
        desk.ledger(
            KIND,
            {"action": "note_cleared", "item_seq": note.item_seq, "note_id": note.id,
             "note_ledger_seq": note.ledger_seq, "answer": answer.strip()},
        )  # fmt: skip
        note.cleared_by, note.cleared_at = desk.actor, desk.now
        return note
