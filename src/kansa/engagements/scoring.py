"""Risk score of each entity of the audit universe, every input shown.

    inherent   = impact x likelihood                                  (1..25)
    adjustment = 3 x open material weaknesses
               + 2 x other open findings
               + 1 x controls failing in the newest run
               + 1 x controls the newest run could not conclude on (not tested, incomplete, error)
    score      = inherent + adjustment

The adjustment is what Kansa itself has seen: open findings (the workflow's, any state but
closed) and the newest run's results for the entity's controls. A control nobody could test
raises the score, never lowers it: an audit tool must not treat unseen data as a pass.
The weights are Kansa's default judgement (docs/engagements.md), in :data:`WEIGHTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from kansa.appdb import ControlResult, Finding, Run
from kansa.controls.model import Control
from kansa.engagements.records import record
from kansa.engagements.universe import controls_of, entities, entity_key
from kansa.findings.rating import MATERIAL_WEAKNESS
from kansa.workflow import Desk

WEIGHTS = {
    "material_weakness": 3,
    "open_finding": 2,
    "failing_control": 1,
    "unconcluded_control": 1,
}
UNCONCLUDED = ("not_tested", "incomplete", "error")


@dataclass(frozen=True)
class RiskScore:
    key: str
    title: str
    impact: int
    likelihood: int
    controls: tuple[str, ...]
    material_weaknesses: int
    open_findings: int
    failing_controls: int
    unconcluded_controls: int
    run_id: str | None

    @property
    def inherent(self) -> int:
        return self.impact * self.likelihood

    @property
    def adjustment(self) -> int:
        return (
            WEIGHTS["material_weakness"] * self.material_weaknesses
            + WEIGHTS["open_finding"] * self.open_findings
            + WEIGHTS["failing_control"] * self.failing_controls
            + WEIGHTS["unconcluded_control"] * self.unconcluded_controls
        )

    @property
    def score(self) -> int:
        return self.inherent + self.adjustment

    def as_dict(self) -> dict[str, object]:
        return {
            "entity": self.key,
            "impact": self.impact,
            "likelihood": self.likelihood,
            "inherent": self.inherent,
            "material_weaknesses": self.material_weaknesses,
            "open_findings": self.open_findings,
            "failing_controls": self.failing_controls,
            "unconcluded_controls": self.unconcluded_controls,
            "adjustment": self.adjustment,
            "score": self.score,
            "run_id": self.run_id,
        }


@dataclass(frozen=True)
class _Seen:
    findings: dict[str, list[str]]  # control id -> ratings of its open findings
    statuses: dict[str, str]  # control id -> status in the newest run
    run_id: str | None


def _seen(desk: Desk) -> _Seen:
    with desk.db.session() as s:
        open_rows = s.execute(
            select(Finding.control_id, Finding.rating, Finding.rating_override).where(
                Finding.workspace == desk.workspace, Finding.state != "closed"
            )
        ).all()
        run = s.scalars(
            select(Run)
            .where(Run.workspace == desk.workspace)
            .order_by(Run.finished_at.desc())
            .limit(1)
        ).first()
        statuses: dict[str, str] = {}
        if run is not None:
            statuses = dict(
                s.execute(
                    select(ControlResult.control_id, ControlResult.status).where(
                        ControlResult.run_id == run.id
                    )
                ).all()
            )
        findings: dict[str, list[str]] = {}
        for control_id, rating, override in open_rows:
            findings.setdefault(control_id, []).append(override or rating)
        return _Seen(findings, statuses, run.id if run else None)


def score_universe(desk: Desk, catalog: Mapping[str, Control]) -> list[RiskScore]:
    """Every entity's score, highest first (ties: by entity key)."""
    seen = _seen(desk)
    out = []
    for e in entities(desk):
        ids = controls_of(e.kind, e.name, list(e.datasets), catalog)
        ratings = [r for c in ids for r in seen.findings.get(c, [])]
        mw = sum(r == MATERIAL_WEAKNESS for r in ratings)
        out.append(
            RiskScore(
                key=entity_key(e),
                title=e.title,
                impact=e.impact,
                likelihood=e.likelihood,
                controls=tuple(ids),
                material_weaknesses=mw,
                open_findings=len(ratings) - mw,
                failing_controls=sum(seen.statuses.get(c) == "fail" for c in ids),
                unconcluded_controls=sum(
                    seen.statuses.get(c, "not_tested") in UNCONCLUDED for c in ids
                ),
                run_id=seen.run_id,
            )
        )
    return sorted(out, key=lambda r: (-r.score, r.key))


def record_scores(desk: Desk, scores: list[RiskScore]) -> int:
    """File the scores and their inputs as one ledger entry (the plan's risk assessment)."""
    entry = record(desk, "universe_scored", weights=WEIGHTS, scores=[r.as_dict() for r in scores])
    return entry.seq
