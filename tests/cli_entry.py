"""The ``kansa`` command through its real entry point, as a user types it, inside the test's
process (so fixtures and monkeypatched settings apply): the exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from kansa.cli.app import main
from kansa.workspace import Workspace


def run_kansa(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """``kansa -w WS ARGS...``; a command that returns without ``sys.exit`` counts as exit 0."""
    monkeypatch.setattr("sys.argv", ["kansa", "-w", str(ws.root), *args])
    with pytest.raises(SystemExit) as info:
        main()
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err
