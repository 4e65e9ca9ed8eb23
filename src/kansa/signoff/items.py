"""What can be signed: a run, a workpaper, a report or a reserves file, i.e. a ledger entry and
the files it produced. An item is named by its ledger seq (``12`` or ``#12``), a run id, a
workpaper id, or the start of its ledger hash (8 hex digits or more)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kansa.i18n import tr
from kansa.vault import LedgerEntry
from kansa.workflow import WorkflowError

SIGNABLE = ("run", "workpaper", "report", "reserves")
_HASH_PREFIX = re.compile(r"[0-9a-f]{8,64}")
_SEQ = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() also takes "²"


@dataclass(frozen=True)
class Item:
    seq: int
    hash: str
    kind: str
    actor: str
    label: str
    outputs: dict[str, str]


def _label(e: LedgerEntry) -> str:
    p = e.payload
    if e.kind == "run":
        return f"run {p.get('run_id', '')}".strip()
    if e.kind == "workpaper":
        return f"workpaper {p.get('analysis', '')} {p.get('workpaper_id', '')}".strip()
    if e.kind == "report":
        return f"report {p.get('format', '')} #{e.seq}"
    return f"{e.kind} #{e.seq}"


def as_item(e: LedgerEntry) -> Item:
    return Item(e.seq, e.hash, e.kind, e.actor, _label(e), dict(e.outputs))


def signable(entries: Sequence[LedgerEntry]) -> list[Item]:
    return [as_item(e) for e in entries if e.kind in SIGNABLE]


def _matches(e: LedgerEntry, ref: str) -> bool:
    if _SEQ.fullmatch(ref):
        return e.seq == int(ref)
    ids = (e.payload.get("run_id"), e.payload.get("workpaper_id"))
    return ref in ids or bool(_HASH_PREFIX.fullmatch(ref) and e.hash.startswith(ref))


def resolve(entries: Sequence[LedgerEntry], ref: str) -> Item:
    """The item ``ref`` names; refused if it names nothing, something unsignable, or several."""
    key = ref.strip().removeprefix("#")
    found = [e for e in entries if key and _matches(e, key)]
    signable_found = [e for e in found if e.kind in SIGNABLE]
    if len(signable_found) == 1:
        return as_item(signable_found[0])
    if len(signable_found) > 1:
        raise WorkflowError(
            tr(
                f"{ref!r} names {len(signable_found)} items: use the ledger seq (#N).",
                f"{ref!r} は {len(signable_found)} 件に一致します。台帳番号（#N）で指定してください。",
            )
        )
    if found:
        raise WorkflowError(
            tr(
                f"Ledger entry #{found[0].seq} is a {found[0].kind}: only a run, a workpaper, "
                "a report or a reserves file can be signed.",
                f"台帳エントリ #{found[0].seq} は {found[0].kind} です。署名できるのは実行・"
                "調書・報告書・準備金ファイルのみです。",
            )
        )
    raise WorkflowError(
        tr(f"No run, workpaper or report {ref!r} in the ledger.", f"台帳に {ref!r} はありません。"),
        hint=tr("List them: `kansa signoff status --all`.", "一覧: `kansa signoff status --all`"),
    )
