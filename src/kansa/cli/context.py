"""What every command shares: the console and the workspace chosen on the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console, ConsoleDimensions

from kansa.cli.terminal import TerminalConsole
from kansa.workspace import Workspace, find_workspace

# Output piped to a file, `grep` or `less` is read in full: Rich's default (80 columns, or the
# width of whatever terminal stderr is on) cut tables and ended titles with "…". Wide enough for
# every table Kansa prints; lines are not padded to it (tables take only the width they need).
PIPED_WIDTH = 4000


class PipeFriendlyConsole(TerminalConsole):
    """A console that, when its output is not a terminal, never narrows tables to fit.

    An explicit ``width=`` or ``COLUMNS`` (read when printing, not when this module was
    imported) still wins, as users and tests expect.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._given_width = kwargs.get("width")
        if self._given_width is None:
            self._width = None  # Rich froze COLUMNS as it was at import: read it when printing

    def _size(self) -> ConsoleDimensions:
        dims: ConsoleDimensions = Console.size.fget(self)  # type: ignore[attr-defined]
        if self._width is None and "COLUMNS" not in self._environ and not self.is_terminal:
            return ConsoleDimensions(PIPED_WIDTH, dims.height)
        return dims

    size = property(_size, Console.size.fset)  # type: ignore[attr-defined]


# data reaches the terminal only through these: control characters are shown escaped
# (kansa.cli.terminal)
console = PipeFriendlyConsole()
err_console = TerminalConsole(stderr=True)


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
