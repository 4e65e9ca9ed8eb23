"""The audit universe: the control areas, units and systems an audit function answers for,
each with its inherent risk as impact x likelihood on a 1-5 scale.

Which controls belong to an entity comes from the catalog itself: an *area* holds the controls
of that ``area``, a *unit* the controls it ``owner``s, a *system* the controls reading one of
its datasets. An entity that matches no control is refused: it could never be tested.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import select

from kansa.appdb import AuditEntity
from kansa.controls.model import Control
from kansa.engagements.records import entry_time, record
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError

KINDS = ("area", "unit", "system")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


def _check_scale(label: str, value: int) -> None:
    if not 1 <= value <= 5:
        raise WorkflowError(
            tr(
                f"{label} must be 1 to 5, not {value}.",
                f"{label} は 1〜5 で指定してください（{value}）。",
            )
        )


def controls_of(
    kind: str, name: str, datasets: list[str], catalog: Mapping[str, Control]
) -> list[str]:
    """The ids of the catalog's controls that fall under the entity, sorted."""
    if kind == "area":
        return sorted(c.id for c in catalog.values() if c.area == name)
    if kind == "unit":
        return sorted(c.id for c in catalog.values() if c.owner == name)
    wanted = set(datasets)
    return sorted(c.id for c in catalog.values() if wanted & set(c.datasets))


def _known(kind: str, catalog: Mapping[str, Control]) -> list[str]:
    """What a name of ``kind`` can be: the catalog's areas, owners (units) or datasets."""
    if kind == "area":
        return sorted({c.area for c in catalog.values()})
    if kind == "unit":
        return sorted({c.owner for c in catalog.values()})
    return sorted({d for c in catalog.values() for d in c.datasets})


def add_entity(
    desk: Desk,
    catalog: Mapping[str, Control],
    kind: str,
    name: str,
    impact: int,
    likelihood: int,
    title: str = "",
    datasets: list[str] | None = None,
) -> AuditEntity:
    """Add (or re-rate) an entity of the universe; one ledger entry either way."""
    if kind not in KINDS:
        raise WorkflowError(
            tr(
                f"Unknown kind {kind!r}: use {', '.join(KINDS)}.",
                f"種類 {kind!r} は使えません（{', '.join(KINDS)}）。",
            )
        )
    if not _NAME.fullmatch(name):
        raise WorkflowError(
            tr(
                f"Entity name {name!r}: lower-case letters, digits, _ . - (up to 64).",
                f"名前 {name!r}: 英小文字・数字・_ . - で 64 文字まで。",
            )
        )
    _check_scale(tr("impact", "影響度"), impact)
    _check_scale(tr("likelihood", "発生可能性"), likelihood)
    sets = sorted(set(datasets or []))
    if kind == "system" and not sets:
        raise WorkflowError(
            tr(
                "A system needs --dataset (the datasets it feeds).",
                "システムには --dataset（供給するデータセット）が必要です。",
            )
        )
    if not controls_of(kind, name, sets, catalog):
        known = ", ".join(_known(kind, catalog))
        raise WorkflowError(
            tr(
                f"No control of the catalog falls under {kind} {name!r}: it could never be tested.",
                f"{kind} {name!r} に該当する統制がカタログにありません（検証できません）。",
            ),
            hint=tr(f"Known: {known}.", f"候補: {known}。"),
        )
    with desk.db.session() as s:
        row = s.scalars(
            select(AuditEntity).where(
                AuditEntity.workspace == desk.workspace,
                AuditEntity.kind == kind,
                AuditEntity.name == name,
            )
        ).one_or_none()
        action = "entity_changed" if row else "entity_added"
        entry = record(
            desk,
            action,
            kind=kind,
            name=name,
            title=title,
            impact=impact,
            likelihood=likelihood,
            datasets=sets,
        )
        if row is None:
            row = AuditEntity(workspace=desk.workspace, kind=kind, name=name,
                              created_at=entry_time(entry))  # fmt: skip
            s.add(row)
        row.title, row.impact, row.likelihood, row.datasets = title, impact, likelihood, sets
        row.ledger_seq = entry.seq
        s.flush()
        s.expunge(row)
        return row


def entities(desk: Desk) -> list[AuditEntity]:
    with desk.db.session() as s:
        rows = list(
            s.scalars(
                select(AuditEntity)
                .where(AuditEntity.workspace == desk.workspace)
                .order_by(AuditEntity.kind, AuditEntity.name)
            )
        )
        for r in rows:
            s.expunge(r)
        return rows


def entity_key(e: AuditEntity) -> str:
    return f"{e.kind}:{e.name}"
