"""``kansa engagement``: one engagement's progress, the work linked to it, and its report
(内部監査報告書) in HTML, PDF, XLSX or OSCAL, filed in the vault for sign-off."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from kansa.cli.context import console, workspace
from kansa.cli.desk import ledger_mark, open_desk
from kansa.cli.plan_cmds import catalog_of
from kansa.cli.terminal import print_json
from kansa.engagements import (
    engagement_fields,
    get_engagement,
    items_of,
    link_item,
    update_engagement,
)
from kansa.engagements.report import file_engagement_report, write_copy
from kansa.i18n import lang, tr
from kansa.workspace.outputs import refuse_protected_output

engagement_app = typer.Typer(
    help="One engagement: progress, linked work, the report.", no_args_is_help=True
)
CodeArg = Annotated[str, typer.Argument(help="Engagement code (see `kansa plan list`).")]


@engagement_app.command("show")
def show_cmd(
    ctx: typer.Context, code: CodeArg, json_out: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """The engagement: scope, period, 基準日, team, programme, status, hours, linked work."""
    with open_desk(workspace(ctx)) as desk:
        e = get_engagement(desk, code)
        items = items_of(desk, e)
    if json_out:
        print_json(
            {
                **engagement_fields(e),
                "purpose": e.purpose,
                "opinion": e.opinion,
                "items": [
                    {"seq": i.item_seq, "kind": i.kind, "label": i.label, "hash": i.item_hash}
                    for i in items
                ],
            },
            default=str,
        )
        return
    lines = [
        f"[b]{escape(e.code)}[/] {escape(e.title)} ({e.status})",
        f"{tr('purpose', '目的')}: {escape(e.purpose or '-')}",
        f"{tr('scope', '範囲')}: {', '.join(e.scope)}",
        f"{tr('period', '期間')}: {e.period_start}..{e.period_end}  {tr('as of', '基準日')}: {e.as_of}",
        f"{tr('lead', '主任')}: {escape(e.lead)}  {tr('team', 'チーム')}: {escape(', '.join(e.team) or '-')}",
        f"{tr('controls', '統制')}: {', '.join(e.controls)}",
        f"{tr('analytics', '分析')}: {escape(', '.join(e.analytics) or '-')}",
        f"{tr('hours', '工数')}: {e.hours_actual:g}/{e.hours_budget:g}",
        f"{tr('opinion', '総合意見')}: {escape(e.opinion or '-')}",
    ]
    lines += [f"  #{i.item_seq} {escape(i.label)} {i.item_hash[:16]}" for i in items]
    for line in lines:
        console.print(line, highlight=False)


@engagement_app.command("update")
def update_cmd(
    ctx: typer.Context,
    code: CodeArg,
    status: Annotated[
        str | None, typer.Option(help="planned, fieldwork, reporting or closed.")
    ] = None,
    hours_actual: Annotated[float | None, typer.Option(help="Hours spent so far.")] = None,
    hours_budget: Annotated[float | None, typer.Option(help="Hours budgeted.")] = None,
    opinion: Annotated[str | None, typer.Option(help="The overall opinion (総合意見).")] = None,
) -> None:
    """Change status, hours or the overall opinion."""
    with open_desk(workspace(ctx)) as desk:
        e = update_engagement(
            desk,
            code,
            status=status,
            hours_actual=hours_actual,
            hours_budget=hours_budget,
            opinion=opinion,
        )
        console.print(
            f"{escape(e.code)}: {e.status}, {e.hours_actual:g}/{e.hours_budget:g} h, {ledger_mark(desk)}",
            highlight=False,
        )


@engagement_app.command("link")
def link_cmd(
    ctx: typer.Context,
    code: CodeArg,
    item: Annotated[
        str, typer.Argument(help="A run or workpaper: ledger seq (#12), run id or workpaper id.")
    ],
) -> None:
    """Link a run or a workpaper (a sample, a Benford test...) to the engagement's procedures."""
    with open_desk(workspace(ctx)) as desk:
        it = link_item(desk, code, item)
        console.print(
            f"{escape(code)} + #{it.item_seq} {escape(it.label)}, {ledger_mark(desk)}",
            highlight=False,
        )


@engagement_app.command("report")
def report_cmd(
    ctx: typer.Context,
    code: CodeArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, pdf, xlsx or oscal.")] = "html",
    language: Annotated[
        str | None, typer.Option("--lang", help="en or ja (default: KANSA_LANG).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write a copy here.")] = None,
    chromium: Annotated[
        str | None, typer.Option(help="Chromium for PDF (else KANSA_CHROMIUM).")
    ] = None,
) -> None:
    """File the internal audit report (内部監査報告書) in the vault; sign it with `kansa signoff`."""
    ws = workspace(ctx)
    if out is not None:
        refuse_protected_output(ws, out)
    with open_desk(ws) as desk:
        filed = file_engagement_report(
            desk, catalog_of(ws), code, fmt, language or lang(), chromium
        )
    console.print(
        tr(
            f"Report filed: {filed.vault_file} (ledger #{filed.entry.seq}); sign it: "
            f"`kansa signoff prepare {filed.entry.seq}`",
            f"報告書を保管: {filed.vault_file}（台帳 #{filed.entry.seq}）。署名: "
            f"`kansa signoff prepare {filed.entry.seq}`",
        ),
        highlight=False,
    )
    if out is not None:
        console.print(
            tr(
                f"Copy written to {write_copy(filed, out)}",
                f"写しを {write_copy(filed, out)} に出力",
            ),
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``kansa engagement`` to the root app."""
    app.add_typer(engagement_app, name="engagement")
