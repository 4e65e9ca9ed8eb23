"""Engagements of the annual plan: add one by hand, or let the risk scores choose them.

An engagement names its scope (entities of the universe), its period and 基準日, its lead and
team, and its programme: the catalog controls it tests (by default every control under its
scope) and the analytics it performs (``sample withdrawals``, ``benford withdrawals``...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kansa.appdb import Engagement
from kansa.controls.model import Control
from kansa.engagements.periods import checked
from kansa.engagements.records import entry_time, record
from kansa.engagements.scoring import RiskScore, score_universe
from kansa.engagements.universe import controls_of, entities, entity_key
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError

STATUSES = ("planned", "fieldwork", "reporting", "closed")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class EngagementSpec:
    code: str
    title: str
    scope: Sequence[str]  # entity keys, "area:custody"
    period_start: dt.date
    period_end: dt.date
    lead: str
    as_of: dt.date | None = None
    purpose: str = ""
    team: Sequence[str] = ()
    controls: Sequence[str] = ()  # empty: every control under the scope
    analytics: Sequence[str] = ()
    hours_budget: float = 0.0
    risk_score: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _scope_controls(desk: Desk, scope: Sequence[str], catalog: Mapping[str, Control]) -> list[str]:
    known = {entity_key(e): e for e in entities(desk)}
    unknown = [k for k in scope if k not in known]
    if not scope or unknown:
        raise WorkflowError(
            tr(
                f"Scope must name entities of the audit universe; unknown: {', '.join(unknown) or '(none given)'}.",
                f"範囲には監査ユニバースの対象を指定してください。不明: {', '.join(unknown) or '（指定なし）'}。",
            ),
            hint=tr("See `kansa plan universe`.", "`kansa plan universe` を確認してください。"),
        )
    ids = {
        c
        for k in scope
        for c in controls_of(known[k].kind, known[k].name, list(known[k].datasets), catalog)
    }
    return sorted(ids)


def _check_controls(controls: Sequence[str], catalog: Mapping[str, Control]) -> None:
    unknown = sorted(set(controls) - set(catalog))
    if unknown:
        raise WorkflowError(
            tr(f"Unknown controls: {', '.join(unknown)}.", f"不明な統制: {', '.join(unknown)}。")
        )


def _code_of(s: Session, engagement_id: int | None) -> str | None:
    found = s.get(Engagement, engagement_id) if engagement_id is not None else None
    return found.code if found else None


def add_engagement(
    desk: Desk, catalog: Mapping[str, Control], spec: EngagementSpec, rolled_from: int | None = None
) -> Engagement:
    """Create the engagement (status planned): one ledger entry."""
    if not _CODE.fullmatch(spec.code):
        raise WorkflowError(
            tr(
                f"Engagement code {spec.code!r}: letters, digits, _ . - (up to 64).",
                f"監査コード {spec.code!r}: 英数字・_ . - で 64 文字まで。",
            )
        )
    if not spec.title.strip() or not spec.lead.strip():
        raise WorkflowError(
            tr(
                "An engagement needs a title and a lead auditor.",
                "監査には名称と主任監査人が必要です。",
            )
        )
    period = checked(spec.period_start, spec.period_end, spec.as_of)
    controls = (
        sorted(spec.controls) if spec.controls else _scope_controls(desk, spec.scope, catalog)
    )
    if spec.controls:
        _scope_controls(desk, spec.scope, catalog)
    _check_controls(controls, catalog)
    with desk.db.session() as s:
        if s.scalars(
            select(Engagement.id).where(
                Engagement.workspace == desk.workspace, Engagement.code == spec.code
            )
        ).first():
            raise WorkflowError(
                tr(f"Engagement {spec.code} exists.", f"監査 {spec.code} は既にあります。")
            )
        row = Engagement(
            workspace=desk.workspace,
            code=spec.code,
            title=spec.title.strip(),
            purpose=spec.purpose.strip(),
            year=period.start.year,
            scope=list(spec.scope),
            period_start=period.start,
            period_end=period.end,
            as_of=period.as_of,
            lead=spec.lead.strip(),
            team=[t.strip() for t in spec.team if t.strip()],
            controls=controls,
            analytics=[a.strip() for a in spec.analytics if a.strip()],
            status="planned",
            hours_budget=float(spec.hours_budget),
            hours_actual=0.0,
            opinion="",
            risk_score=spec.risk_score,
            rolled_from_id=rolled_from,
            created_at=desk.now,
        )
        entry = record(
            desk,
            "engagement_added",
            code=row.code,
            title=row.title,
            scope=row.scope,
            period_start=row.period_start,
            period_end=row.period_end,
            as_of=row.as_of,
            lead=row.lead,
            team=row.team,
            controls=row.controls,
            analytics=row.analytics,
            hours_budget=row.hours_budget,
            risk_score=row.risk_score,
            rolled_from=rolled_from,
            rolled_from_code=_code_of(s, rolled_from),
            purpose=row.purpose,
        )
        row.ledger_seq, row.created_at = entry.seq, entry_time(entry)
        s.add(row)
        s.flush()
        s.expunge(row)
        return row


def engagements(desk: Desk, year: int | None = None) -> list[Engagement]:
    with desk.db.session() as s:
        q = select(Engagement).where(Engagement.workspace == desk.workspace)
        if year is not None:
            q = q.where(Engagement.year == year)
        rows = list(s.scalars(q.order_by(Engagement.year, Engagement.code)))
        for r in rows:
            s.expunge(r)
        return rows


def engagement_fields(e: Engagement) -> dict[str, Any]:
    """The fields every JSON view of an engagement shows (``kansa plan list`` and
    ``kansa engagement show`` add their own), in one place so the two never drift apart."""
    return {
        "code": e.code,
        "title": e.title,
        "scope": e.scope,
        "period": [e.period_start, e.period_end],
        "as_of": e.as_of,
        "lead": e.lead,
        "team": e.team,
        "controls": e.controls,
        "analytics": e.analytics,
        "status": e.status,
        "hours_budget": e.hours_budget,
        "hours_actual": e.hours_actual,
    }


def get_engagement(desk: Desk, code: str) -> Engagement:
    found = [e for e in engagements(desk) if e.code == code]
    if not found:
        raise WorkflowError(
            tr(f"No engagement {code!r}.", f"監査 {code!r} はありません。"),
            hint=tr("See `kansa plan list`.", "`kansa plan list` を確認してください。"),
        )
    return found[0]


def build_plan(
    desk: Desk,
    catalog: Mapping[str, Control],
    year: int,
    min_score: int,
    lead: str,
    hours_each: float = 0.0,
) -> list[Engagement]:
    """One engagement for the year per entity scoring ``min_score`` or more that no engagement
    of that year covers yet, highest risk first. Returns the engagements created."""
    covered = {k for e in engagements(desk, year) for k in e.scope}
    chosen: list[RiskScore] = [
        r for r in score_universe(desk, catalog) if r.score >= min_score and r.key not in covered
    ]
    created = []
    for r in chosen:
        kind, name = r.key.split(":", 1)
        created.append(
            add_engagement(
                desk,
                catalog,
                EngagementSpec(
                    code=f"{year}-{kind.upper()}-{name}",
                    title=r.title or f"{kind} {name}",
                    scope=[r.key],
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 12, 31),
                    lead=lead,
                    hours_budget=hours_each,
                    risk_score=float(r.score),
                    purpose=tr(
                        f"Risk-based audit of {r.key} (risk score {r.score}).",
                        f"{r.key} のリスクベース監査（リスクスコア {r.score}）。",
                    ),
                ),
            )
        )
    return created


def uncovered_high_risk(
    desk: Desk, catalog: Mapping[str, Control], year: int, min_score: int
) -> list[RiskScore]:
    """Entities scoring ``min_score`` or more that no engagement of ``year`` covers."""
    covered = {k for e in engagements(desk, year) for k in e.scope}
    return [
        r for r in score_universe(desk, catalog) if r.score >= min_score and r.key not in covered
    ]
