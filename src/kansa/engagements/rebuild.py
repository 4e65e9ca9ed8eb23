"""The audit plan's tables rebuilt from the ledger: the ledger is the proof, the rows its state.

Every change of the plan is an ``engagement`` ledger entry carrying what it changed
(:mod:`kansa.engagements.records`), so replaying them in ledger order gives the audit universe
(``audit_entities``), the engagements, the work linked to each (``engagement_items``) and the
maturity self-assessment (``maturity_claims``) as they were written. ``kansa db reconcile``
adds every row the database lacks and brings back every row older than its last entry (a
database restored from an old backup, rows deleted by hand); a row already in step is left as
it is, so it is safe to repeat. Rows are matched by what names them (an entity's kind and name,
an engagement's code, an item's engagement and ledger seq, a maturity step), never by the
database's own ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import AuditEntity, Database, Engagement, EngagementItem, MaturityClaim
from kansa.engagements.records import KIND, entry_time
from kansa.vault import LedgerEntry, Vault

ENGAGEMENT_FIELDS = ("title", "scope", "lead", "team", "controls", "analytics", "hours_budget",
                     "risk_score", "purpose")  # fmt: skip
UPDATABLE = ("status", "hours_actual", "hours_budget", "opinion")


@dataclass
class Replayed:
    """The plan as the ledger says it is: one dict of column values per row, by its name."""

    entities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    engagements: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Restored:
    """How many rows of each table were added or brought back."""

    entities: int = 0
    engagements: int = 0
    items: int = 0
    claims: int = 0

    @property
    def total(self) -> int:
        return self.entities + self.engagements + self.items + self.claims


def _day(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value))


def _entity(r: Replayed, e: LedgerEntry) -> None:
    p = e.payload
    key = (str(p["kind"]), str(p["name"]))
    first = r.entities.get(key, {}).get("created_at", entry_time(e))
    r.entities[key] = {"kind": key[0], "name": key[1], "title": p.get("title", ""),
                       "impact": p["impact"], "likelihood": p["likelihood"],
                       "datasets": list(p.get("datasets") or []), "created_at": first,
                       "ledger_seq": e.seq}  # fmt: skip


def _engagement(r: Replayed, e: LedgerEntry) -> None:
    p = e.payload
    start = _day(p["period_start"])
    row = {k: p.get(k) for k in ENGAGEMENT_FIELDS}
    row.update(code=p["code"], purpose=p.get("purpose") or "", year=start.year,
               period_start=start, period_end=_day(p["period_end"]), as_of=_day(p["as_of"]),
               status="planned", hours_actual=0.0, opinion="",
               hours_budget=float(p.get("hours_budget") or 0.0),
               rolled_from_code=p.get("rolled_from_code"), created_at=entry_time(e),
               ledger_seq=e.seq)  # fmt: skip
    r.engagements[str(p["code"])] = row


def _update(r: Replayed, e: LedgerEntry) -> None:
    row = r.engagements.get(str(e.payload.get("code")))
    if row is not None:
        row.update({k: v for k, v in (e.payload.get("after") or {}).items() if k in UPDATABLE})
        row["ledger_seq"] = e.seq


def _item(r: Replayed, e: LedgerEntry) -> None:
    p = e.payload
    r.items[(str(p["code"]), int(p["item_seq"]))] = {
        "item_seq": int(p["item_seq"]), "item_hash": p["item_hash"], "kind": p["item_kind"],
        "label": p["item"], "added_by": e.actor, "added_at": entry_time(e), "ledger_seq": e.seq,
    }  # fmt: skip


def _claim(r: Replayed, e: LedgerEntry) -> None:
    p = e.payload
    r.claims[str(p["step"])] = {"criterion": p["step"], "met": bool(p["met"]),
                                "evidence": list(p.get("evidence") or []),
                                "note": p.get("note", ""), "assessed_by": e.actor,
                                "at": entry_time(e), "ledger_seq": e.seq}  # fmt: skip


STEPS = {
    "entity_added": _entity,
    "entity_changed": _entity,
    "engagement_added": _engagement,
    "engagement_updated": _update,
    "item_linked": _item,
    "maturity_assessed": _claim,
}


def replay(entries: Iterable[LedgerEntry], workspace: str) -> Replayed:
    """The plan of ``workspace`` after ``entries`` (in ledger order)."""
    r = Replayed()
    for e in entries:
        if e.kind == KIND and e.payload.get("workspace") == workspace:
            step = STEPS.get(str(e.payload.get("action")))
            if step is not None:
                step(r, e)
    return r


def _stale(row: Any, wanted: dict[str, Any]) -> bool:
    return row is None or row.ledger_seq < wanted["ledger_seq"]


def _put(s: Session, row: Any, make: type, values: dict[str, Any], **keys: Any) -> Any:
    if row is None:
        row = make(**keys)
        s.add(row)
    for k, v in values.items():
        setattr(row, k, v)
    return row


def _restore_entities(s: Session, ws: str, r: Replayed) -> int:
    rows = {(x.kind, x.name): x for x in s.scalars(select(AuditEntity).where(AuditEntity.workspace == ws))}  # fmt: skip
    done = 0
    for key, values in r.entities.items():
        if _stale(rows.get(key), values):
            _put(s, rows.get(key), AuditEntity, values, workspace=ws)
            done += 1
    return done


def _restore_engagements(s: Session, ws: str, r: Replayed) -> int:
    rows = {x.code: x for x in s.scalars(select(Engagement).where(Engagement.workspace == ws))}
    done = 0
    for code, values in sorted(r.engagements.items(), key=lambda kv: kv[1]["created_at"]):
        wanted = {k: v for k, v in values.items() if k != "rolled_from_code"}
        before = rows.get(values.get("rolled_from_code") or "")
        wanted["rolled_from_id"] = before.id if before is not None else None
        if _stale(rows.get(code), values):
            rows[code] = _put(s, rows.get(code), Engagement, wanted, workspace=ws)
            s.flush()  # its id, for the items and for an engagement rolled forward from it
            done += 1
    return done


def _restore_items(s: Session, ws: str, r: Replayed) -> int:
    codes = {x.code: x.id for x in s.scalars(select(Engagement).where(Engagement.workspace == ws))}
    rows = {
        (code, x.item_seq): x
        for code, x in s.execute(
            select(Engagement.code, EngagementItem)
            .join(Engagement, Engagement.id == EngagementItem.engagement_id)
            .where(Engagement.workspace == ws)
        )
    }
    done = 0
    for (code, seq), values in r.items.items():
        if code in codes and _stale(rows.get((code, seq)), values):
            _put(s, rows.get((code, seq)), EngagementItem, values, engagement_id=codes[code])
            done += 1
    return done


def _restore_claims(s: Session, ws: str, r: Replayed) -> int:
    rows = {x.criterion: x for x in s.scalars(select(MaturityClaim).where(MaturityClaim.workspace == ws))}  # fmt: skip
    done = 0
    for key, values in r.claims.items():
        if _stale(rows.get(key), values):
            _put(s, rows.get(key), MaturityClaim, values, workspace=ws)
            done += 1
    return done


def rebuild_engagements(db: Database, vault: Vault, workspace: str) -> Restored:
    """Bring the plan's tables in step with the ledger (one transaction); what was restored."""
    r = replay(vault.ledger.read(), workspace)
    with db.session() as s:
        return Restored(
            entities=_restore_entities(s, workspace, r),
            engagements=_restore_engagements(s, workspace, r),
            items=_restore_items(s, workspace, r),
            claims=_restore_claims(s, workspace, r),
        )
