"""``kansa report``: the HTML report of the workspace, filed in the vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kansa.cli.context import console, workspace
from kansa.i18n import tr


def report(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: reports/report.html)."),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--lang", help="en or ja (default: KANSA_LANG / LANG).")
    ] = None,
) -> None:
    """Write the HTML report (snapshots, latest run, exceptions) and file it in the ledger."""
    from kansa.errors import KansaError
    from kansa.reports import write_report

    if language not in (None, "en", "ja"):
        raise KansaError(tr("--lang must be en or ja", "--lang は en または ja です"))
    ws = workspace(ctx)
    path = write_report(ws, out or ws.root / "reports" / "report.html", language)
    console.print(tr(f"Report written: {path}", f"報告書を出力しました: {path}"))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
