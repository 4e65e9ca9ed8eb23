"""``kansa plan``: the audit universe and its risk scores, the annual plan of engagements,
roll-forward. The rules are in :mod:`kansa.engagements`; every change is a ledger entry."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.cli.dates import parse_day
from kansa.cli.desk import ledger_mark, open_desk
from kansa.cli.terminal import print_json
from kansa.controls import Control, load_catalog
from kansa.engagements import (
    WEIGHTS,
    EngagementSpec,
    add_engagement,
    add_entity,
    build_plan,
    engagement_fields,
    engagements,
    entities,
    record_scores,
    roll_forward,
    score_universe,
    uncovered_high_risk,
)
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.workspace import Workspace

plan_app = typer.Typer(
    help="The audit universe, risk scores and the annual plan.", no_args_is_help=True
)


def catalog_of(ws: Workspace) -> dict[str, Control]:
    return load_catalog([ws.resolve(p) for p in ws.config.control_paths])


@plan_app.command("universe")
def universe_cmd(
    ctx: typer.Context, json_out: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List the audit universe: areas, units and systems with their inherent risk."""
    with open_desk(workspace(ctx)) as desk:
        rows = entities(desk)
    if json_out:
        print_json(
            [
                {
                    "kind": e.kind,
                    "name": e.name,
                    "title": e.title,
                    "impact": e.impact,
                    "likelihood": e.likelihood,
                    "datasets": e.datasets,
                }
                for e in rows
            ]
        )
        return
    if not rows:
        console.print(
            tr(
                "The universe is empty: `kansa plan entity area custody --impact 5 --likelihood 4`.",
                "監査ユニバースは空です（`kansa plan entity area custody --impact 5 --likelihood 4`）。",
            )
        )
        return
    table = Table(title=tr("Audit universe", "監査ユニバース"), title_justify="left")
    for col in (
        tr("kind", "種類"),
        tr("name", "名前"),
        tr("title", "名称"),
        tr("impact", "影響度"),
        tr("likelihood", "発生可能性"),
        tr("datasets", "データセット"),
    ):
        table.add_column(col)
    for e in rows:
        table.add_row(
            e.kind, e.name, escape(e.title), str(e.impact), str(e.likelihood), ", ".join(e.datasets)
        )
    console.print(table)


@plan_app.command("entity")
def entity_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="area, unit or system.")],
    name: Annotated[str, typer.Argument(help="The area, unit (control owner) or system name.")],
    impact: Annotated[int, typer.Option(help="Inherent impact, 1-5.")],
    likelihood: Annotated[int, typer.Option(help="Inherent likelihood, 1-5.")],
    title: Annotated[str, typer.Option(help="A readable title.")] = "",
    dataset: Annotated[
        list[str] | None, typer.Option(help="system: a dataset it feeds (repeat).")
    ] = None,
) -> None:
    """Add an entity to the audit universe, or re-rate it."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        e = add_entity(desk, catalog_of(ws), kind, name, impact, likelihood, title, dataset or [])
        console.print(
            f"{e.kind}:{escape(e.name)} {e.impact}x{e.likelihood}, {ledger_mark(desk)}",
            highlight=False,
        )


@plan_app.command("score")
def score_cmd(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="File the scores in the ledger.")
    ] = True,
) -> None:
    """Risk score per entity: impact x likelihood, plus what Kansa's own results show."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        scores = score_universe(desk, catalog_of(ws))
        seq = record_scores(desk, scores) if record and scores else None
    if json_out:
        print_json({"weights": WEIGHTS, "ledger_seq": seq, "scores": [r.as_dict() for r in scores]})
        return
    table = Table(title=tr("Risk scores", "リスクスコア"), title_justify="left")
    for col in (
        tr("entity", "対象"),
        tr("impact x likelihood", "影響度×発生可能性"),
        tr("material weaknesses", "重要な不備"),
        tr("open findings", "未完了の指摘"),
        tr("failing controls", "不備の統制"),
        tr("not concluded", "結論なし"),
        tr("score", "スコア"),
    ):
        table.add_column(col)
    for r in scores:
        table.add_row(
            r.key,
            f"{r.impact}x{r.likelihood}={r.inherent}",
            str(r.material_weaknesses),
            str(r.open_findings),
            str(r.failing_controls),
            str(r.unconcluded_controls),
            f"[b]{r.score}[/]",
        )
    console.print(table)
    console.print(
        tr(
            f"score = impact x likelihood + {WEIGHTS['material_weakness']} x material weaknesses + "
            f"{WEIGHTS['open_finding']} x other open findings + failing + not concluded controls "
            "(newest run)",
            f"スコア = 影響度×発生可能性 + {WEIGHTS['material_weakness']}×重要な不備 + "
            f"{WEIGHTS['open_finding']}×その他の未完了指摘 + 不備の統制数 + 結論なしの統制数（最新の実行）",
        ),
        highlight=False,
    )
    if seq:
        console.print(tr(f"Filed as ledger entry #{seq}", f"台帳エントリ #{seq} に記録"))


@plan_app.command("build")
def build_cmd(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="The plan year.")],
    lead: Annotated[str, typer.Option(help="Lead auditor of each new engagement.")],
    min_score: Annotated[int, typer.Option(help="Plan every entity scoring at least this.")] = 15,
    hours: Annotated[float, typer.Option(help="Hours budget of each new engagement.")] = 0.0,
) -> None:
    """Plan one engagement per high-risk entity not yet covered in the year."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        made = build_plan(desk, catalog_of(ws), year, min_score, lead, hours)
    for e in made:
        console.print(
            f"{escape(e.code)}: {', '.join(e.scope)} ({tr('risk', 'リスク')} {e.risk_score:g})",
            highlight=False,
        )
    if not made:
        console.print(
            tr(
                "Every entity at or above the score is already planned.",
                "該当する対象はすべて計画済みです。",
            )
        )


@plan_app.command("add")
def add_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Engagement code, e.g. 2026-CUSTODY.")],
    title: Annotated[str, typer.Option(help="Engagement title.")],
    scope: Annotated[
        list[str], typer.Option(help="An entity of the universe, kind:name (repeat).")
    ],
    period_from: Annotated[str, typer.Option("--from", help="First day of the period audited.")],
    period_to: Annotated[str, typer.Option("--to", help="Last day of the period audited.")],
    lead: Annotated[str, typer.Option(help="Lead auditor.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="基準日 (default: the period's end).")
    ] = None,
    purpose: Annotated[str, typer.Option(help="Purpose of the audit.")] = "",
    team: Annotated[list[str] | None, typer.Option(help="A team member (repeat).")] = None,
    control: Annotated[
        list[str] | None, typer.Option(help="A programme control (default: all in scope).")
    ] = None,
    analytic: Annotated[
        list[str] | None, typer.Option(help="A programme analytic, e.g. 'sample withdrawals'.")
    ] = None,
    hours: Annotated[float, typer.Option(help="Hours budget.")] = 0.0,
) -> None:
    """Add an engagement to the plan."""
    ws = workspace(ctx)
    start, end = parse_day(period_from, "--from"), parse_day(period_to, "--to")
    if start is None or end is None:
        raise KansaError(tr("--from and --to are required.", "--from と --to が必要です。"))
    spec = EngagementSpec(
        code=code,
        title=title,
        scope=scope,
        period_start=start,
        period_end=end,
        lead=lead,
        as_of=parse_day(as_of),
        purpose=purpose,
        team=team or [],
        controls=control or [],
        analytics=analytic or [],
        hours_budget=hours,
    )
    with open_desk(ws) as desk:
        e = add_engagement(desk, catalog_of(ws), spec)
        console.print(
            f"{escape(e.code)}: {len(e.controls)} {tr('controls', '統制')}, {ledger_mark(desk)}",
            highlight=False,
        )


@plan_app.command("list")
def list_cmd(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="Only this year's engagements.")] = None,
    min_score: Annotated[
        int, typer.Option(help="Warn about entities at this score with no engagement.")
    ] = 15,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The plan: engagements with scope, period, status and hours; high-risk entities left out."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        rows = engagements(desk, year)
        missing = uncovered_high_risk(desk, catalog_of(ws), year, min_score) if year else []
    if json_out:
        print_json(
            {
                "engagements": [
                    {**engagement_fields(e), "year": e.year, "risk_score": e.risk_score}
                    for e in rows
                ],
                "uncovered": [r.as_dict() for r in missing],
            },
            default=str,
        )
        return
    table = Table(title=tr("Audit plan", "監査計画"), title_justify="left")
    for col in (
        tr("code", "コード"),
        tr("title", "名称"),
        tr("scope", "範囲"),
        tr("period", "期間"),
        tr("as of", "基準日"),
        tr("lead", "主任"),
        tr("status", "状況"),
        tr("hours", "工数"),
    ):
        table.add_column(col)
    for e in rows:
        table.add_row(
            escape(e.code),
            escape(e.title),
            ", ".join(e.scope),
            f"{e.period_start}..{e.period_end}",
            str(e.as_of),
            escape(e.lead),
            e.status,
            f"{e.hours_actual:g}/{e.hours_budget:g}",
        )
    console.print(table)
    for r in missing:
        console.print(
            tr(
                f"[yellow]Not planned in {year}[/]: {r.key} (score {r.score})",
                f"[yellow]{year} 年に未計画[/]: {r.key}（スコア {r.score}）",
            ),
            highlight=False,
        )


@plan_app.command("roll-forward")
def roll_forward_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The engagement to roll forward.")],
    new_code: Annotated[
        str | None, typer.Option("--code", help="The new engagement's code.")
    ] = None,
) -> None:
    """The same engagement for the next period (scope, team, programme, budget)."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        e = roll_forward(desk, catalog_of(ws), code, new_code)
        console.print(
            f"{escape(code)} -> {escape(e.code)}: {e.period_start}..{e.period_end}, "
            f"{tr('as of', '基準日')} {e.as_of}, {ledger_mark(desk)}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``kansa plan`` to the root app."""
    app.add_typer(plan_app, name="plan")
