"""The `kansa` entry point: clean errors and faithful exit codes (scripts depend on them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KANSA = [sys.executable, "-c", "from kansa.cli.app import main; main()"]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KANSA_LANG": "en", "COLUMNS": "200"}
    env.pop("KANSA_WORKSPACE", None)
    return subprocess.run([*KANSA, *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_unknown_command_is_a_usage_error() -> None:
    r = _run("no-such-command")
    assert r.returncode == 2
    assert "No such command" in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_workspace_is_one_clear_message_even_with_markup_characters(
    tmp_path: Path,
) -> None:
    odd = tmp_path / "[/odd]"
    r = _run("-w", str(odd), "datasets")
    r = _run("-w", str(odd), "verify")
    assert r.returncode == 2
    assert f"No Kansa workspace at {odd}" in r.stderr
    assert "Traceback" not in r.stderr


def test_init_then_init_again_refuses(tmp_path: Path) -> None:
    assert _run("init", str(tmp_path / "ws")).returncode == 0
    r = _run("init", str(tmp_path / "ws"))
    assert r.returncode == 2 and "already a workspace" in r.stderr


def test_workspace_found_from_current_folder_and_env(tmp_path: Path) -> None:
    assert _run("init", str(tmp_path / "ws")).returncode == 0
    # a fresh workspace has an empty ledger: found, and verify says there is nothing to verify
    r = _run("verify", cwd=tmp_path / "ws")
    assert r.returncode == 1 and "nothing to verify" in r.stderr, r.stderr
    env = {**os.environ, "KANSA_WORKSPACE": str(tmp_path / "ws")}
    r = subprocess.run([*KANSA, "verify"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 1 and "nothing to verify" in r.stderr, r.stderr


def test_version() -> None:
    r = _run("--version")
    assert r.returncode == 0 and r.stdout.startswith("kansa ")


def test_lazy_command_table_matches_what_each_module_registers() -> None:
    """Every command a module registers is reachable, and no name points at the wrong module."""
    import importlib

    import typer

    from kansa.cli.lazy import COMMANDS, module_commands

    modules = set(COMMANDS.values())
    registered = {name: m for m in modules for name in module_commands(m)}
    assert registered == COMMANDS
    for path in (Path(__file__).parents[2] / "src" / "kansa" / "cli").glob("*_cmds.py"):
        sub = typer.Typer()
        importlib.import_module(f"kansa.cli.{path.stem}").register(sub)
        assert path.stem in modules, f"{path.stem} registers commands the CLI never loads"


def test_a_light_command_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys; from kansa.cli.app import app; from typer.testing import CliRunner;"
        "r = CliRunner().invoke(app, ['--version']); assert r.exit_code == 0;"
        "print(sorted(m for m in ('scipy', 'sqlalchemy', 'openpyxl') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
