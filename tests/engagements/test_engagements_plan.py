"""The audit plan: the universe and its risk scores (inputs shown, Kansa's own results
included), engagements chosen by risk, roll-forward, the maturity self-assessment; every
change a ledger entry that `kansa verify` covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from helpers_engage import catalog_and_run, desk, planned

from kansa.controls import Control
from kansa.engagements import (
    EngagementSpec,
    add_engagement,
    add_entity,
    assess,
    build_plan,
    get_engagement,
    ladder,
    link_item,
    reached,
    record_scores,
    roll_forward,
    score_universe,
    uncovered_high_risk,
    update_engagement,
)
from kansa.engagements.periods import Period, next_period
from kansa.vault import Vault, verify_vault
from kansa.workflow import WorkflowError
from kansa.workspace import Workspace


@pytest.fixture
def world(
    db_workspace: Workspace, put_snapshot: Callable[..., Any], make_control: Callable[..., Control]
) -> tuple[Workspace, dict[str, Control], int]:
    catalog, run_seq = catalog_and_run(db_workspace, put_snapshot, make_control)
    return db_workspace, catalog, run_seq


def test_the_risk_score_shows_its_inputs_and_counts_what_kansa_saw(world: Any) -> None:
    ws, catalog, _ = world
    with desk(ws, "Lead Mori") as d:
        add_entity(d, catalog, "area", "custody", impact=3, likelihood=3)
        add_entity(d, catalog, "area", "access", impact=4, likelihood=3)
        add_entity(d, catalog, "unit", "treasury", impact=2, likelihood=2)
        scores = {r.key: r for r in score_universe(d, catalog)}
    custody = scores["area:custody"]
    # 3x3, one open finding (TST-601 fails: 2 negatives, isolated high -> deficiency) and one
    # failing control in the newest run
    assert (custody.inherent, custody.open_findings, custody.failing_controls) == (9, 1, 1)
    assert custody.material_weaknesses == 0 and custody.unconcluded_controls == 0
    assert custody.score == 9 + 2 + 1
    # TST-603 was never run: unseen raises the risk, it is never a pass
    access = scores["area:access"]
    assert (access.inherent, access.unconcluded_controls, access.score) == (12, 1, 13)
    assert scores["unit:treasury"].controls == ("TST-601", "TST-602")
    assert next(r.key for r in score_universe(d, catalog)) == "area:access"


def test_bad_universe_input_is_refused_and_changes_nothing(world: Any) -> None:
    ws, catalog, _ = world
    with desk(ws, "Lead Mori") as d:
        before = len(list(d.vault.ledger.read()))
        for args, match in (
            (("area", "custody", 6, 1), "1 to 5"),
            (("zone", "custody", 3, 1), "Unknown kind"),
            (("area", "payments", 3, 3), "No control"),
            (("system", "wallet-db", 3, 3), "--dataset"),
            (("area", "Bad Name", 3, 3), "lower-case"),
        ):
            with pytest.raises(WorkflowError, match=match):
                add_entity(d, catalog, *args)  # type: ignore[arg-type]
        assert len(list(d.vault.ledger.read())) == before
        system = add_entity(d, catalog, "system", "ledger-db", 3, 3, datasets=["customer_balances"])
        assert system.datasets == ["customer_balances"]


def test_the_plan_takes_the_high_risk_entities_not_yet_covered(world: Any) -> None:
    ws, catalog, _ = world
    with desk(ws, "Lead Mori") as d:
        add_entity(d, catalog, "area", "custody", impact=5, likelihood=4)  # 20 + 3
        add_entity(d, catalog, "area", "access", impact=1, likelihood=2)  # 2 + 1
        assert [r.key for r in uncovered_high_risk(d, catalog, 2027, 15)] == ["area:custody"]
        made = build_plan(d, catalog, 2027, min_score=15, lead="Lead Mori", hours_each=80)
        assert [e.code for e in made] == ["2027-AREA-custody"]
        e = made[0]
        assert (e.controls, e.risk_score, e.hours_budget) == (["TST-601", "TST-602"], 23.0, 80.0)
        assert (e.period_start, e.period_end, e.as_of) == (
            dt.date(2027, 1, 1), dt.date(2027, 12, 31), dt.date(2027, 12, 31))  # fmt: skip
        assert build_plan(d, catalog, 2027, min_score=15, lead="Lead Mori") == []  # covered
        assert uncovered_high_risk(d, catalog, 2027, 15) == []


def test_roll_forward_keeps_the_programme_for_the_next_period(world: Any) -> None:
    ws, catalog, run_seq = world
    planned(ws, catalog)
    with desk(ws, "Lead Mori") as d:
        link_item(d, "2026-CUSTODY", str(run_seq))
        update_engagement(d, "2026-CUSTODY", status="closed", hours_actual=131.5, opinion="OK")
        new = roll_forward(d, catalog, "2026-CUSTODY")
        old = get_engagement(d, "2026-CUSTODY")
    assert new.code == "2027-CUSTODY" and new.rolled_from_id == old.id
    assert (new.period_start, new.period_end, new.as_of) == (
        dt.date(2027, 1, 1), dt.date(2027, 12, 31), dt.date(2027, 11, 30))  # fmt: skip
    assert (new.scope, new.controls, new.team, new.analytics, new.hours_budget) == (
        old.scope, old.controls, old.team, old.analytics, old.hours_budget)  # fmt: skip
    assert (new.status, new.hours_actual, new.opinion) == ("planned", 0.0, "")


def test_next_period_of_a_quarter_and_of_days() -> None:
    q = next_period(Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 3, 31)))
    assert (q.start, q.end, q.as_of) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 6, 30),
    )
    d = next_period(Period(dt.date(2026, 1, 10), dt.date(2026, 1, 19), dt.date(2026, 1, 15)))
    assert (d.start, d.end, d.as_of) == (
        dt.date(2026, 1, 20),
        dt.date(2026, 1, 29),
        dt.date(2026, 1, 25),
    )


def test_engagement_input_is_checked(world: Any) -> None:
    ws, catalog, _ = world
    planned(ws, catalog)
    spec = dict(code="X-1", title="t", scope=["area:custody"], lead="L",
                period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30))  # fmt: skip
    with desk(ws, "Lead Mori") as d:
        for change, match in (
            ({"period_end": dt.date(2025, 1, 1)}, "before it starts"),
            ({"as_of": dt.date(2026, 7, 1)}, "outside the period"),
            ({"scope": ["area:nowhere"]}, "unknown: area:nowhere"),
            ({"controls": ["NOPE-1"]}, "Unknown controls"),
            ({"code": "2026-CUSTODY"}, "exists"),
        ):
            with pytest.raises(WorkflowError, match=match):
                add_engagement(d, catalog, EngagementSpec(**{**spec, **change}))  # type: ignore[arg-type]
        with pytest.raises(WorkflowError, match="Unknown status"):
            update_engagement(d, "2026-CUSTODY", status="done")
        with pytest.raises(WorkflowError, match="No engagement"):
            roll_forward(d, catalog, "NOPE")


def test_maturity_claims_need_evidence_and_reach_a_stage(world: Any) -> None:
    ws, catalog, run_seq = world
    planned(ws, catalog)
    with desk(ws, "CAE Tanaka") as d:
        with pytest.raises(WorkflowError, match="needs --evidence"):
            assess(d, "controls-tested", True, [])
        with pytest.raises(WorkflowError, match="No ledger entry #99999"):
            assess(d, "controls-tested", True, [99999])
        with pytest.raises(WorkflowError, match="Unknown step"):
            assess(d, "levitation", True, [run_seq])
        views = {v.step.key: v for v in ladder(d)}
        assert run_seq in views["controls-tested"].candidates
        assert views["risk-plan"].candidates  # the engagement_added entry
        assert reached(ladder(d)) is None
        assess(d, "controls-tested", True, [run_seq], "daily runs")
        assert reached(ladder(d)) is None  # findings-tracked not claimed
        assess(d, "findings-tracked", True, [run_seq])
        assert reached(ladder(d)) == "1.0"
        assess(d, "findings-tracked", False, [], "no owners yet")
        assert reached(ladder(d)) is None


def test_every_plan_step_is_a_ledger_entry_that_verify_covers(world: Any) -> None:
    ws, catalog, run_seq = world
    with desk(ws, "Lead Mori") as d:
        start = len(list(d.vault.ledger.read()))
    planned(ws, catalog)
    with desk(ws, "Lead Mori") as d:
        record_scores(d, score_universe(d, catalog))
        link_item(d, "2026-CUSTODY", str(run_seq))
        update_engagement(d, "2026-CUSTODY", status="fieldwork")
        roll_forward(d, catalog, "2026-CUSTODY")
        assess(d, "controls-tested", True, [run_seq])
        entries = list(d.vault.ledger.read())[start:]
    actions = [e.payload["action"] for e in entries]
    assert actions == ["entity_added", "engagement_added", "universe_scored", "item_linked",
                       "engagement_updated", "engagement_added", "maturity_assessed"]  # fmt: skip
    assert {e.kind for e in entries} == {"engagement"}
    assert all(e.actor in ("Lead Mori",) for e in entries)
    scored = entries[2].payload["scores"][0]
    assert scored["inherent"] == 20 and scored["score"] == 23
    assert verify_vault(Vault(ws.vault_dir)).ok
