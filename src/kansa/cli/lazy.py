"""Load a command's module only when that command runs; give every command what users expect.

The command modules pull in heavy libraries (SciPy for analytics, SQLAlchemy for the app
database, openpyxl for workpapers). Importing all of them made every ``kansa`` call pay about
1.3 s before doing anything; with this group, ``kansa verify`` imports only what ``verify``
needs. ``kansa --help`` still imports everything, to show each command's summary.

Every command the group hands out is also *adopted* here, in one place, so that no command
module has to remember it:

- ``-w/--workspace`` is accepted after the subcommand too (``kansa verify -w WS``), as users
  type it; the value lands in the same :class:`~kansa.cli.context.CliState` as the root option;
- a misspelt subcommand gets "did you mean" (:mod:`kansa.spelling`), at every level.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from kansa.cli.context import state
from kansa.spelling import did_you_mean

# command name -> module in kansa.cli that registers it (tests/cli checks this stays true)
COMMANDS: dict[str, str] = {
    "init": "workspace_cmds",
    "datasets": "datasets_cmds",
    "ingest": "ingest_cmds",
    "map": "map_cmds",
    "snapshots": "snapshots_cmds",
    "verify": "vault_cmds",
    "ledger": "vault_cmds",
    "keys": "vault_cmds",
    "demo": "demo_cmds",
    "controls": "controls_cmds",
    "run": "run_cmds",
    "results": "run_cmds",
    "runs": "run_cmds",
    "compare": "compare_cmds",
    "findings": "findings_cmds",
    "signoff": "signoff_cmds",
    "requests": "requests_cmds",
    "notify": "notify_cmds",
    "plan": "plan_cmds",
    "engagement": "engagement_cmds",
    "maturity": "maturity_cmds",
    "db": "db_cmds",
    "wallets": "wallets_cmds",
    "reserves": "reserves_cmds",
    "sanctions": "sanctions_cmds",
    "benford": "analytics_tests_cmds",
    "duplicates": "analytics_tests_cmds",
    "gaps": "analytics_tests_cmds",
    "stratify": "analytics_tests_cmds",
    "ageing": "analytics_tests_cmds",
    "outliers": "analytics_tests_cmds",
    "sample": "analytics_sample_cmds",
    "report": "report_cmds",
    "daily": "daily_cmds",
    "serve": "serve_cmds",
    "users": "serve_cmds",
    "units": "units_cmds",
}

WORKSPACE_HELP = "Workspace folder (else $KANSA_WORKSPACE, else the current folder)."

_loaded: dict[str, Any] = {}


def module_commands(module: str) -> dict[str, Any]:
    """The click commands that ``kansa.cli.<module>.register`` defines, by name."""
    if module not in _loaded:
        sub = typer.Typer()
        importlib.import_module(f"kansa.cli.{module}").register(sub)
        built = typer.main.get_command(sub)
        commands = getattr(built, "commands", None)
        found = dict(commands) if commands is not None else {built.name: built}
        for command in found.values():
            adopt(command)
        _loaded[module] = found
    return _loaded[module]


def _remember_workspace(ctx: typer.Context, value: Path | None) -> None:
    """``-w`` given after a subcommand: the same effect as given before it."""
    if value is not None:
        state(ctx).workspace_path = value


def _workspace_option() -> Any:
    """A fresh ``-w/--workspace`` parameter, built by Typer itself so it prints in ``--help``."""
    carrier = typer.Typer()

    @carrier.command()
    def _carry(
        workspace: Annotated[
            Path | None,
            typer.Option(
                "--workspace",
                "-w",
                help=WORKSPACE_HELP,
                callback=_remember_workspace,
                expose_value=False,
            ),
        ] = None,
    ) -> None:
        """Never run: only its parameter is used."""

    return typer.main.get_command(carrier).params[0]


def adopt(command: Any) -> Any:
    """Give ``command`` (and, for a group, every command under it) ``-w/--workspace``.

    Typer's own groups already suggest close subcommand names; the root group, whose commands
    are loaded lazily, does so in :meth:`LazyGroup.resolve_command`.
    """
    if getattr(command, "_kansa_adopted", False):
        return command
    command._kansa_adopted = True
    taken = {opt for p in command.params for opt in getattr(p, "opts", [])}
    if not taken & {"-w", "--workspace"}:
        # first among the options (after the arguments): each command's own order stays as it was
        first_option = next(
            (
                i
                for i, p in enumerate(command.params)
                if getattr(p, "param_type_name", "") == "option"
            ),
            len(command.params),
        )
        command.params.insert(first_option, _workspace_option())
    for sub in getattr(command, "commands", {}).values():
        adopt(sub)
    return command


class LazyGroup(TyperGroup):
    """The root group: lists every command, imports a command's module on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*super().list_commands(ctx), *COMMANDS]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            found = module_commands(COMMANDS[cmd_name]).get(cmd_name)
        return adopt(found) if found is not None else None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """A misspelt command names the nearest ones (``kansa verfy``: did you mean verify?)."""
        name = args[0] if args else ""
        if (
            name
            and not name.startswith("-")
            and not ctx.resilient_parsing
            and self.get_command(ctx, name) is None
        ):
            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}." + (f" {hint}" if hint else ""))
        return super().resolve_command(ctx, args)
