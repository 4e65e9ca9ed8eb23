"""Self-assessment against the FSA's maturity ladder for internal audit (Ver.1.0 to 4.0).

The ladder is the FSA's (金融庁「金融機関の内部監査の高度化に向けた現状と課題」, 2019, kept
in the 2024 monitoring report; see /work/shared/PRODUCT.md section 1): 1.0 clerical /
compliance audit, 2.0 risk-based audit, 3.0 management audit, 4.0 trusted advisor. The steps
under each stage are Kansa's reading of it, each with the kinds of ledger entries that can
show it. A step is claimed met by a person, with pointers to ledger entries as evidence (a
claim of "met" without evidence is refused), and each claim is a ledger entry. A stage is
reached when its steps and every lower stage's are met.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from kansa.appdb import MaturityClaim
from kansa.engagements.records import entry_time, record
from kansa.i18n import tr
from kansa.vault import LedgerEntry
from kansa.workflow import Desk, WorkflowError

Match = Callable[[LedgerEntry], bool]


def _kind(kind: str, **payload: object) -> Match:
    return lambda e: e.kind == kind and all(e.payload.get(k) == v for k, v in payload.items())


@dataclass(frozen=True)
class Step:
    key: str
    stage: str
    en: str
    ja: str
    shows: Match  # which ledger entries can serve as its evidence


STAGES = {
    "1.0": ("Clerical / compliance audit", "事務不備監査"),
    "2.0": ("Risk-based audit", "リスクベース監査"),
    "3.0": ("Management audit", "経営監査"),
    "4.0": ("Trusted advisor", "信頼されるアドバイザー"),
}

LADDER: tuple[Step, ...] = (
    Step(
        "controls-tested",
        "1.0",
        "Controls are tested against the rules on the exchange's own records",
        "規程・ルールへの準拠を取引所自身の記録で検証している",
        _kind("run"),
    ),
    Step(
        "findings-tracked",
        "1.0",
        "Findings are recorded, assigned and tracked to closure",
        "指摘事項を記録し、担当を定め、完了まで追跡している",
        _kind("finding", action="assigned"),
    ),
    Step(
        "risk-universe",
        "2.0",
        "An audit universe is assessed for risk, inputs shown",
        "監査ユニバースのリスクを評価している（根拠を明示）",
        _kind("engagement", action="universe_scored"),
    ),
    Step(
        "risk-plan",
        "2.0",
        "The annual plan is chosen by risk and covers the high-risk entities",
        "年次監査計画をリスクに基づき策定し、高リスク領域を網羅している",
        _kind("engagement", action="engagement_added"),
    ),
    Step(
        "reviewed-work",
        "3.0",
        "Workpapers and runs are reviewed and signed by someone else",
        "調書・実行結果を作成者以外がレビューし署名している",
        _kind("signoff", action="reviewer"),
    ),
    Step(
        "management-response",
        "3.0",
        "Management answers findings with a plan, owner and date",
        "指摘事項に対し経営・被監査部門が改善計画・責任者・期日で回答している",
        _kind("finding", action="responded"),
    ),
    Step(
        "board-report",
        "3.0",
        "Engagement reports go to the board and audit committee, signed",
        "監査報告書を取締役会・監査委員会に報告し、署名している",
        lambda e: e.kind == "report" and "engagement" in e.payload,
    ),
    Step(
        "advisory",
        "4.0",
        "Internal audit advises management on strategy and emerging risk",
        "内部監査が戦略・新たなリスクについて経営に助言している",
        lambda e: False,
    ),
)
STEPS = {s.key: s for s in LADDER}


@dataclass(frozen=True)
class StepView:
    step: Step
    claim: MaturityClaim | None
    candidates: tuple[int, ...]  # ledger seqs that could serve as evidence (newest 5)

    @property
    def met(self) -> bool:
        return bool(self.claim and self.claim.met)


def _evidence(desk: Desk, seqs: Sequence[int]) -> list[int]:
    known = {e.seq for e in desk.vault.ledger.read()}
    missing = sorted(set(seqs) - known)
    if missing:
        raise WorkflowError(
            tr(
                f"No ledger entry {', '.join(f'#{m}' for m in missing)}.",
                f"台帳エントリ {', '.join(f'#{m}' for m in missing)} はありません。",
            )
        )
    return sorted(set(seqs))


def assess(
    desk: Desk, key: str, met: bool, evidence: Sequence[int], note: str = ""
) -> MaturityClaim:
    """Claim step ``key`` met (with evidence) or not met; one ledger entry."""
    if key not in STEPS:
        raise WorkflowError(
            tr(f"Unknown step {key!r}.", f"ステップ {key!r} はありません。"), hint=", ".join(STEPS)
        )
    seqs = _evidence(desk, evidence)
    if met and not seqs:
        raise WorkflowError(
            tr(
                "A step claimed met needs --evidence (ledger seqs that show it).",
                "「達成」とするには根拠（--evidence 台帳番号）が必要です。",
            ),
            hint=tr(
                "`kansa maturity show` lists candidate entries.",
                "`kansa maturity show` に候補があります。",
            ),
        )
    with desk.db.session() as s:
        row = s.scalars(
            select(MaturityClaim).where(
                MaturityClaim.workspace == desk.workspace, MaturityClaim.criterion == key
            )
        ).one_or_none()
        entry = record(
            desk,
            "maturity_assessed",
            step=key,
            stage=STEPS[key].stage,
            met=met,
            evidence=seqs,
            note=note.strip(),
        )
        if row is None:
            row = MaturityClaim(workspace=desk.workspace, criterion=key)
            s.add(row)
        row.met, row.evidence, row.note = met, seqs, note.strip()
        row.assessed_by, row.at, row.ledger_seq = desk.actor, entry_time(entry), entry.seq
        s.flush()
        s.expunge(row)
        return row


def ladder(desk: Desk) -> list[StepView]:
    entries = list(desk.vault.ledger.read())
    with desk.db.session() as s:
        claims = {
            c.criterion: c
            for c in s.scalars(
                select(MaturityClaim).where(MaturityClaim.workspace == desk.workspace)
            )
        }
        for c in claims.values():
            s.expunge(c)
    return [
        StepView(step, claims.get(step.key), tuple(e.seq for e in entries if step.shows(e))[-5:])
        for step in LADDER
    ]


def reached(views: Sequence[StepView]) -> str | None:
    """The highest stage whose steps, and all lower stages' steps, are claimed met."""
    best = None
    for stage in STAGES:
        if all(v.met for v in views if v.step.stage == stage):
            best = stage
        else:
            break
    return best
