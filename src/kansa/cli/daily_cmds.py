"""``kansa daily``: the one command a cron job or systemd timer calls (docs/daily.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from kansa.cli.context import console, err_console, workspace
from kansa.errors import KansaError
from kansa.i18n import tr


def daily(
    ctx: typer.Context,
    language: Annotated[
        str | None, typer.Option("--lang", help="Report language, en or ja (default: LANG).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Controls run at once.")] = 2,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the one-line summary.")
    ] = False,
) -> None:
    """Ingest new files from the drop folder, run the controls, write the report, verify.

    Exit 0: every control passed and the vault is intact; 1: a control did not pass;
    2: an error (a file rejected, a control errored, the vault not intact, bad settings).
    """
    from kansa.pipeline import run_daily

    if language not in (None, "en", "ja"):
        raise KansaError(tr("--lang must be en or ja", "--lang は en または ja です"))

    def say(line: str) -> None:
        if not quiet:
            console.print(Text(line), soft_wrap=True)

    result = run_daily(workspace(ctx), language=language, workers=workers, say=say)
    if result.error:
        err_console.print(Text(f"{tr('error', 'エラー')}: {result.error}"), soft_wrap=True)
    console.print(Text(result.summary()), soft_wrap=True)  # last line: what the log keeps
    raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    app.command("daily")(daily)
