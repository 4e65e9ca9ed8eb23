"""The overview and the catalog read the run summaries and show what the results say: the
heat map from the per-area counts equals the one counted from every result (for an auditor
and for a control owner), and each control's latest result is the newest run's."""

from __future__ import annotations

from collections import Counter

from helpers_web import a_failing_control, kansa
from sqlalchemy import delete, func, select

from kansa.appdb import ControlResult, Database, Run, RunAreaSummary
from kansa.web import queries
from kansa.web.accounts import now_utc
from kansa.web.context import AppContext
from kansa.web.principal import Principal
from kansa.web.settings import WebSettings
from kansa.workspace import Workspace


def _ctx(ws: Workspace) -> AppContext:
    return AppContext(ws, Database(ws.database_url), WebSettings())


def _newest_by_ranking(ctx: AppContext) -> dict[str, int]:
    """Each control's newest result, ranked over every result (the query the overview ran
    before the summaries)."""
    ranked = (
        select(ControlResult.id, func.row_number().over(
            partition_by=ControlResult.control_id, order_by=Run.started_at.desc()).label("n"))
        .join(Run).subquery()
    )  # fmt: skip
    with ctx.db.session() as s:
        return {r.control_id: r.id for r in s.scalars(
            select(ControlResult).join(ranked, ranked.c.id == ControlResult.id)
            .where(ranked.c.n == 1))}  # fmt: skip


def test_summaries_show_what_the_results_say(demo: Workspace) -> None:
    kansa("-w", str(demo.root), "run", "--controls", "ACC-*")  # a second, partial run
    ctx = _ctx(demo)
    auditor = Principal(1, "a", "auditor", None, "token", "full")
    _control, unit = a_failing_control(demo)
    owner = Principal(2, "o", "control_owner", unit, "token", "full")
    with ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(RunAreaSummary)) > 0
        runs = s.scalar(select(func.count()).select_from(Run))
    assert runs >= 2
    latest = {cid: r.id for cid, r in queries.latest_results(ctx).items()}
    assert latest == _newest_by_ranking(ctx)
    from_summaries = [queries.heat_map(ctx, who) for who in (auditor, owner)]
    with ctx.db.session() as s:  # as a database migrated from before the summaries
        s.execute(delete(RunAreaSummary))
    from_results = [queries.heat_map(ctx, who) for who in (auditor, owner)]
    assert from_summaries == from_results
    assert any(cell["total"] for _area, row in from_results[1]["grid"] for cell in row)
    owner_areas = {a for a, _row in from_results[1]["grid"]}
    assert owner_areas < {a for a, _row in from_results[0]["grid"]}


def test_the_history_has_what_the_pages_show(demo: Workspace) -> None:
    ctx = _ctx(demo)
    control, _unit = a_failing_control(demo)
    rows = queries.history(ctx, control)
    assert rows
    for run, res in rows:
        assert (run.id, res.run_id, res.control_id) == (res.run_id, run.id, control)
        assert res.status and run.as_of and res.exception_count is not None


def test_the_overview_counts_the_open_findings_the_findings_list_shows(demo: Workspace) -> None:
    ctx = _ctx(demo)
    _control, unit = a_failing_control(demo)
    for who in (Principal(1, "a", "auditor", None, "token", "full"),
                Principal(2, "o", "control_owner", unit, "token", "full")):  # fmt: skip
        listed = queries.findings(ctx, who, status="open")
        data = queries.overview(ctx, who)
        assert data["open_findings"] == len(listed) > 0
        assert data["findings_by_rating"] == dict(Counter(f.rating for f in listed))
        assert data["findings_by_age"] == queries.findings_by_age(listed, now_utc())
