"""What the engagement report (内部監査報告書) says, gathered once for every format.

Procedures are the runs and workpapers linked to the engagement, each with its ledger entry
hash and its files' SHA-256, and their sign-offs as they stand now (valid, or void and why).
Results are per programme control, from the newest linked run that tested it: a control no
linked run concluded on is reported as not tested by this engagement, never as a pass.
Findings are the programme controls' findings open at some point of the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select

from kansa.appdb import ControlResult, Engagement, Finding, Run
from kansa.controls.model import Control
from kansa.engagements.items import items_of
from kansa.signoff import ItemStatus, Verdict, signoff_status
from kansa.workflow import Desk


@dataclass(frozen=True)
class Procedure:
    seq: int
    kind: str
    label: str
    entry_hash: str
    files: dict[str, str]
    preparer: str
    reviewer: str


@dataclass(frozen=True)
class ControlLine:
    control_id: str
    title: str
    area: str
    status: str  # pass / fail / error / not_tested / incomplete, or "not_in_engagement"
    exceptions: int | None
    population: int | None
    run_id: str | None


@dataclass(frozen=True)
class FindingLine:
    id: int
    control_id: str
    title: str
    scope: str
    rating: str
    state: str
    assignee: str
    due_date: dt.date | None
    response: str
    action_plan: str
    exceptions: int


@dataclass(frozen=True)
class EngagementReport:
    workspace: str
    engagement: Engagement
    language: str
    generated_at: str
    ledger_head: str | None
    ledger_seq: int | None
    procedures: list[Procedure]
    results: list[ControlLine]
    findings: list[FindingLine]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def _signature(v: Verdict | None) -> str:
    if v is None:
        return ""
    mark = "VOID: " + "; ".join(v.void) if v.void else "OK"
    return f"{v.signoff.actor} {v.signoff.at:%Y-%m-%d} {mark}"


def _procedures(desk: Desk, engagement: Engagement) -> list[Procedure]:
    out = []
    for it in items_of(desk, engagement):
        st: list[ItemStatus] = signoff_status(desk.db, desk.vault, desk.workspace, str(it.item_seq))
        s = st[0]
        out.append(
            Procedure(
                it.item_seq,
                it.kind,
                it.label,
                s.item.hash,
                dict(s.item.outputs),
                _signature(s.preparer),
                _signature(s.reviewer),
            )
        )
    return out


def _results(
    desk: Desk,
    engagement: Engagement,
    procedures: list[Procedure],
    catalog: Mapping[str, Control],
    language: str,
) -> list[ControlLine]:
    run_seqs = [p.seq for p in procedures if p.kind == "run"]
    by_control: dict[str, tuple[ControlResult, Run]] = {}
    with desk.db.session() as s:
        runs = list(
            s.scalars(
                select(Run)
                .where(Run.workspace == desk.workspace, Run.ledger_seq.in_(run_seqs))
                .order_by(Run.finished_at)
            )
        )
        for run in runs:  # oldest first: a newer run's result replaces an older one
            for r in s.scalars(select(ControlResult).where(ControlResult.run_id == run.id)):
                by_control[r.control_id] = (r, run)
        lines = []
        for cid in engagement.controls:
            c = catalog.get(cid)
            title = c.title.get(language) if c else cid
            area = c.area if c else ""
            if cid in by_control:
                r, run = by_control[cid]
                lines.append(
                    ControlLine(
                        cid, title, area, r.status, r.exception_count, r.population_count, run.id
                    )
                )
            else:
                lines.append(ControlLine(cid, title, area, "not_in_engagement", None, None, None))
        return lines


def _findings(
    desk: Desk, engagement: Engagement, catalog: Mapping[str, Control], language: str
) -> list[FindingLine]:
    start = dt.datetime.combine(engagement.period_start, dt.time(), dt.UTC)
    end = dt.datetime.combine(engagement.as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    with desk.db.session() as s:
        rows = s.scalars(
            select(Finding)
            .where(
                Finding.workspace == desk.workspace,
                Finding.control_id.in_(engagement.controls),
                Finding.first_seen_at < end,
                or_(Finding.closed_at.is_(None), Finding.closed_at >= start),
            )
            .order_by(Finding.id)
        )
        return [
            FindingLine(
                f.id,
                f.control_id,
                catalog[f.control_id].title.get(language)
                if f.control_id in catalog
                else f.control_id,
                f.scope,
                f.rating_override or f.rating,
                f.state,
                f.assignee,
                f.due_date,
                f.response,
                f.action_plan,
                int(f.exception_count),
            )
            for f in rows
        ]


def gather_report(
    desk: Desk, engagement: Engagement, catalog: Mapping[str, Control], language: str
) -> EngagementReport:
    head = desk.vault.ledger.head()
    procedures = _procedures(desk, engagement)
    return EngagementReport(
        workspace=desk.workspace,
        engagement=engagement,
        language=language,
        generated_at=desk.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ledger_head=head.hash if head else None,
        ledger_seq=head.seq if head else None,
        procedures=procedures,
        results=_results(desk, engagement, procedures, catalog, language),
        findings=_findings(desk, engagement, catalog, language),
    )
