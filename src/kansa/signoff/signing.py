"""Preparer and reviewer sign-offs, each a ``signoff`` ledger entry naming the content hashes it
covers (the item's ledger entry hash and its files' SHA-256).

Rules: content that no longer matches its ledger entry cannot be signed; the reviewer needs a
valid preparer's sign-off, no open review note, and can be neither a preparer of the item nor
the person who produced it (the actor of its ledger entry), nor in the unit of either
(:mod:`kansa.workflow.units`); a sign-off still valid is not signed twice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kansa.appdb import SignOff
from kansa.i18n import tr
from kansa.signoff.content import changes, covers
from kansa.signoff.items import Item
from kansa.signoff.records import KIND, PREPARER, REVIEWER, find_item, open_notes, signoffs
from kansa.signoff.validity import Verdict, judge
from kansa.vault import LedgerEntry
from kansa.workflow import Desk, WorkflowError, require_reviewer
from kansa.workflow.units import require_other_unit


def _intact(desk: Desk, item: Item, by_seq: dict[int, LedgerEntry]) -> dict[str, object]:
    signed = covers(item)
    problems = changes(desk.vault, by_seq, signed)
    if problems:
        raise WorkflowError(
            tr(
                f"{item.label} does not match its ledger entry: {'; '.join(problems)}.",
                f"{item.label} は台帳エントリと一致しません: {'; '.join(problems)}。",
            ),
            hint=tr("Run `kansa verify`.", "`kansa verify` を実行してください。"),
        )
    return signed


def latest_verdict(
    desk: Desk, s: Session, item: Item, by_seq: dict[int, LedgerEntry], role: str
) -> Verdict | None:
    prepared = signoffs(s, desk.workspace, item, PREPARER)
    prep = judge(desk.vault, by_seq, prepared[-1]) if prepared else None
    if role == PREPARER:
        return prep
    reviewed = signoffs(s, desk.workspace, item, REVIEWER)
    return judge(desk.vault, by_seq, reviewed[-1], prep) if reviewed else None


def _already(item: Item, v: Verdict | None) -> None:
    if v is not None and v.valid:
        raise WorkflowError(
            tr(
                f"{item.label} already has a valid {v.signoff.role} sign-off by {v.signoff.actor}.",
                f"{item.label} には {v.signoff.actor} の有効な署名（{v.signoff.role}）があります。",
            )
        )


def _sign(desk: Desk, s: Session, item: Item, role: str, signed: dict[str, object]) -> SignOff:
    entry = desk.ledger(
        KIND,
        {"action": role, "item_seq": item.seq, "item_hash": item.hash, "item_kind": item.kind,
         "item": item.label, "covers": signed},
    )  # fmt: skip
    so = SignOff(
        workspace=desk.workspace, item_seq=item.seq, item_hash=item.hash, item_kind=item.kind,
        role=role, actor=desk.actor, at=desk.now, covers=signed, ledger_seq=entry.seq,
        ledger_hash=entry.hash,
    )  # fmt: skip
    s.add(so)
    return so


def prepare(desk: Desk, ref: str) -> SignOff:
    """The preparer signs ``ref``: "I did this work, and this is it"."""
    item, by_seq = find_item(desk.vault, ref)
    signed = _intact(desk, item, by_seq)
    with desk.change("preparer sign-off") as s:
        reviewers = {so.actor for so in signoffs(s, desk.workspace, item, REVIEWER)}
        if desk.actor in reviewers:
            raise _own_work(item, desk.actor)
        _already(item, latest_verdict(desk, s, item, by_seq, PREPARER))
        return _sign(desk, s, item, PREPARER, signed)


def _own_work(item: Item, actor: str) -> WorkflowError:
    return WorkflowError(
        tr(
            f"{actor} prepared or produced {item.label}: a preparer can never be its reviewer.",
            f"{actor} は {item.label} の作成者です。作成者は同じ項目のレビュー担当者になれません。",
        )
    )


def review(desk: Desk, ref: str) -> SignOff:
    """The reviewer signs ``ref``: "I reviewed the preparer's work, and this is it"."""
    require_reviewer(desk.policy, desk.actor)
    item, by_seq = find_item(desk.vault, ref)
    signed = _intact(desk, item, by_seq)
    with desk.change("reviewer sign-off") as s:
        preparers = {so.actor for so in signoffs(s, desk.workspace, item, PREPARER)}
        if desk.actor in preparers | {item.actor}:
            raise _own_work(item, desk.actor)
        require_other_unit(s, desk.actor, preparers | {item.actor}, item.label)
        prep = latest_verdict(desk, s, item, by_seq, PREPARER)
        if prep is None or not prep.valid:
            why = "; ".join(prep.void) if prep else tr("none yet", "まだありません")
            raise WorkflowError(
                tr(
                    f"{item.label} needs a valid preparer's sign-off first ({why}).",
                    f"{item.label} には先に有効な作成者署名が必要です（{why}）。",
                ),
                hint=f"kansa signoff prepare {item.seq}",
            )
        notes = open_notes(s, desk.workspace, item.seq)
        if notes:
            raise WorkflowError(
                tr(
                    f"{item.label} has {len(notes)} open review note(s): clear them first "
                    f"(#{', #'.join(str(n.id) for n in notes)}).",
                    f"{item.label} に未解消のレビューノートが {len(notes)} 件あります"
                    f"（#{', #'.join(str(n.id) for n in notes)}）。先に解消してください。",
                )
            )
        _already(item, latest_verdict(desk, s, item, by_seq, REVIEWER))
        return _sign(
            desk, s, item, REVIEWER, {**signed, "preparer_signoff_seq": prep.signoff.ledger_seq}
        )
