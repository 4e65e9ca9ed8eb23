"""Load a command's module only when that command runs.

The command modules pull in heavy libraries (SciPy for analytics, SQLAlchemy for the app
database, openpyxl for workpapers). Importing all of them made every ``kansa`` call pay about
1.3 s before doing anything; with this group, ``kansa verify`` imports only what ``verify``
needs. ``kansa --help`` still imports everything, to show each command's summary.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

# command name -> module in kansa.cli that registers it (tests/cli checks this stays true)
COMMANDS: dict[str, str] = {
    "init": "workspace_cmds",
    "datasets": "datasets_cmds",
    "ingest": "ingest_cmds",
    "map": "map_cmds",
    "verify": "vault_cmds",
    "ledger": "vault_cmds",
    "keys": "vault_cmds",
    "demo": "demo_cmds",
    "controls": "controls_cmds",
    "run": "run_cmds",
    "results": "run_cmds",
    "runs": "run_cmds",
    "findings": "run_cmds",
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
}

_loaded: dict[str, Any] = {}


def module_commands(module: str) -> dict[str, Any]:
    """The click commands that ``kansa.cli.<module>.register`` defines, by name."""
    if module not in _loaded:
        sub = typer.Typer()
        importlib.import_module(f"kansa.cli.{module}").register(sub)
        built = typer.main.get_command(sub)
        commands = getattr(built, "commands", None)
        _loaded[module] = dict(commands) if commands is not None else {built.name: built}
    return _loaded[module]


class LazyGroup(TyperGroup):
    """The root group: lists every command, imports a command's module on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*super().list_commands(ctx), *COMMANDS]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            found = module_commands(COMMANDS[cmd_name]).get(cmd_name)
        return found
