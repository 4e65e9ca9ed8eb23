"""The ``kansa`` command. Subcommand modules each expose ``register(app)``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from kansa import __version__
from kansa.cli.context import err_console, state
from kansa.cli.lazy import LazyGroup
from kansa.errors import KansaError
from kansa.i18n import tr

app = typer.Typer(
    name="kansa",
    help="Kansa (監査): continuous internal audit for crypto-asset exchanges.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kansa {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (else $KANSA_WORKSPACE, else the current folder).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    state(ctx).workspace_path = workspace


def main() -> None:
    """Entry point: a :class:`KansaError` becomes one clear message and its exit code.

    Usage errors, ``--help`` and exit codes are handled by Typer's standalone mode.
    """
    try:
        app()
    except KansaError as exc:
        err_console.print(
            f"[bold red]{tr('error', 'エラー')}:[/] {escape(exc.message)}", highlight=False
        )
        if exc.hint:
            err_console.print(f"[dim]{escape(exc.hint)}[/]", highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
