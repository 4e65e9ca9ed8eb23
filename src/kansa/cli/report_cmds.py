"""``kansa report``: the audit report as HTML, PDF or Excel, filed in the vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kansa.cli.context import console, workspace
from kansa.cli.db_cmds import catch_up_database
from kansa.i18n import tr


def report(
    ctx: typer.Context,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="html, pdf or xlsx (default: from the -o extension, else html).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: reports/report.FORMAT)."),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--lang", help="en or ja (default: KANSA_LANG / LANG).")
    ] = None,
    run_id: Annotated[
        str | None, typer.Option("--run", help="Report on this run (default: the latest).")
    ] = None,
    max_rows: Annotated[
        int,
        typer.Option("--max-rows", min=1, help="xlsx: exception rows per failing control."),
    ] = 1000,
) -> None:
    """Write the report (snapshots, latest run, findings, exceptions) and file it in the ledger."""
    from kansa.errors import KansaError
    from kansa.reports import resolve_format, write_report

    if language not in (None, "en", "ja"):
        raise KansaError(tr("--lang must be en or ja", "--lang は en または ja です"))
    fmt = resolve_format(fmt.lower() if fmt else None, out)
    ws = workspace(ctx)
    target = out or ws.root / "reports" / f"report.{fmt}"
    catch_up_database(ws)  # a run the app database missed is in the report too
    with console.status(tr(f"Writing the {fmt} report...", f"{fmt} 報告書を作成中...")):
        path = write_report(ws, target, language, fmt, max_rows, run_id=run_id)
    console.print(tr(f"Report written: {path}", f"報告書を出力しました: {path}"))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
