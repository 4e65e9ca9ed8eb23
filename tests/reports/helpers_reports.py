"""Shared by the report tests: the in-process CLI and a small demo workspace with a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app

runner = CliRunner()


def kansa(*args: str) -> str:
    """Run the real CLI in-process; fail the test with its output if it does not succeed."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def make_demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("report") / "ws"
    kansa("demo", "--customers", "300", "--days", "7", "--seed", "3", "--workspace-dir", str(ws))
    kansa("-w", str(ws), "run")
    return ws
