"""What every command shares: the console and the workspace chosen on the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from kansa.workspace import Workspace, find_workspace

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    workspace_path: Path | None = None


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace from ``--workspace``, ``KANSA_WORKSPACE`` or the current folder."""
    return find_workspace(state(ctx).workspace_path)
