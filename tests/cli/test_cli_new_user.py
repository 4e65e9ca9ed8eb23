"""What a new user trips on: ``-w`` after the subcommand, misspelt names, piped tables."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.table import Table
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.cli.context import PipeFriendlyConsole
from kansa.cli.lazy import COMMANDS, LazyGroup, module_commands
from kansa.errors import KansaError, WorkspaceNotFound
from kansa.spelling import close_matches, did_you_mean
from kansa.workspace import Workspace

ENV = {"KANSA_LANG": "en", "KANSA_WORKSPACE": None}


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env=ENV)


def _leaves(name: str, command: Any) -> list[tuple[str, Any]]:
    """Every command a user can type, with its full path (``datasets show``)."""
    found = [(name, command)]
    for sub_name, sub in getattr(command, "commands", {}).items():
        found += _leaves(f"{name} {sub_name}", sub)
    return found


def _all_commands() -> list[tuple[str, Any]]:
    root = LazyGroup(name="kansa")
    out: list[tuple[str, Any]] = []
    for n in COMMANDS:
        out += _leaves(n, root.get_command(None, n))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("path", [p for p, _ in _all_commands()])
def test_every_command_accepts_workspace_after_the_subcommand(path: str, tmp_path: Path) -> None:
    """Each command, given ``-w MISSING`` after its name, looks there (or reaches its own
    argument checks first): the option is never "No such option"."""
    cmd = dict(_all_commands())[path]
    opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
    assert {"-w", "--workspace"} <= opts, path
    r = _invoke(*path.split(), "-w", str(tmp_path / "nowhere"), "--help")
    assert r.exit_code == 0, r.output
    assert "--workspace" in r.output


def test_workspace_after_the_subcommand_is_the_one_used(workspace: Workspace) -> None:
    for args in (["verify"], ["runs"], ["findings"], ["report"], ["run"], ["results", "WDR-001"]):
        r = _invoke(*args, "-w", str(workspace.root / "missing"))
        assert isinstance(r.exception, WorkspaceNotFound), (args, r.output)
        assert str(workspace.root / "missing") in r.exception.message
    for flag in ("-w", "--workspace"):
        r = _invoke("runs", flag, str(workspace.root))
        assert r.exit_code == 0 and "No runs yet" in r.output, r.output
        r = _invoke("verify", flag, str(workspace.root))  # found: an empty vault is its verdict
        assert "nothing to verify" in r.output and not isinstance(r.exception, WorkspaceNotFound)


def test_workspace_after_the_subcommand_wins_over_the_one_before(workspace: Workspace) -> None:
    r = _invoke("-w", str(workspace.root), "verify", "-w", str(workspace.root / "missing"))
    assert isinstance(r.exception, WorkspaceNotFound)
    r = _invoke("-w", str(workspace.root / "missing"), "runs", "-w", str(workspace.root))
    assert r.exit_code == 0 and "No runs yet" in r.output, r.output


def test_the_lazy_table_still_loads_every_module() -> None:
    assert {m for m in COMMANDS.values()} == {m for m in COMMANDS.values() if module_commands(m)}


# --- did you mean ----------------------------------------------------------------------------


def test_close_matches_ignores_case_and_keeps_the_known_spelling() -> None:
    assert close_matches("wdr-1", ["WDR-001", "WDR-002", "KEY-001"])[0] == "WDR-001"
    assert close_matches("WDR-1", ["WDR-012", "WDR-011", "WDR-001"])[0] == "WDR-001"
    assert close_matches("zzz", ["WDR-001"]) == []
    assert did_you_mean("verfy", ["verify", "version"]) == "Did you mean verify?"
    assert did_you_mean("qqqq", ["verify"]) is None


def test_misspelt_command_names_the_nearest() -> None:
    r = _invoke("verfy")
    assert r.exit_code == 2
    assert "No such command 'verfy'" in r.output and "Did you mean verify?" in r.output
    r = _invoke("findngs")
    assert "Did you mean findings" in " ".join(r.output.split())


def test_misspelt_subcommand_names_the_nearest() -> None:
    r = _invoke("datasets", "shwo", "wallets")
    assert r.exit_code == 2 and "show" in r.output and "Did you mean" in r.output


def test_results_of_a_misspelt_control_says_no_such_control(workspace: Workspace) -> None:
    r = _invoke("results", "WDR-1", "-w", str(workspace.root))
    assert isinstance(r.exception, KansaError)
    assert "No control WDR-1" in r.exception.message
    assert r.exception.hint is not None and "WDR-001" in r.exception.hint
    assert "run it first" not in (r.exception.hint or "").lower()


def test_results_of_a_real_control_never_run_still_says_run_it_first(
    workspace: Workspace,
) -> None:
    r = _invoke("results", "WDR-001", "-w", str(workspace.root))
    assert isinstance(r.exception, KansaError)
    assert "No result for WDR-001" in r.exception.message


def test_misspelt_control_in_run_and_show(workspace: Workspace) -> None:
    r = _invoke("run", "--controls", "CUS-03", "-w", str(workspace.root))
    assert isinstance(r.exception, KansaError) and "CUS-003" in (r.exception.hint or "")
    r = _invoke("controls", "show", "KEY-01")
    assert isinstance(r.exception, KansaError) and "KEY-001" in (r.exception.hint or "")


def test_misspelt_dataset_names_the_nearest() -> None:
    r = _invoke("datasets", "show", "walets")
    assert isinstance(r.exception, KansaError)
    assert (r.exception.hint or "").startswith("Did you mean wallets")


# --- piped output ----------------------------------------------------------------------------


def _wide_table() -> Table:
    table = Table()
    for i in range(6):
        table.add_column(f"column_{i}")
    table.add_row(*(f"{'ab' * 16}{i}" for i in range(6)))  # 6 x 33 characters: > 200 columns
    return table


def test_a_piped_table_is_never_cut_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    out = io.StringIO()
    PipeFriendlyConsole(file=out).print(_wide_table())
    text = out.getvalue()
    assert "…" not in text
    assert all(f"{'ab' * 16}{i}" in text for i in range(6))
    assert max(map(len, text.splitlines())) > 200


def test_an_explicit_columns_still_narrows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = io.StringIO()
    PipeFriendlyConsole(file=out).print(_wide_table())
    assert max(map(len, out.getvalue().splitlines())) <= 60


def test_a_piped_command_prints_its_table_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    r = CliRunner().invoke(app, ["datasets", "show", "wallets"], env=ENV)
    assert r.exit_code == 0, r.output
    assert "…" not in r.output
    assert "Storage tier: cold = keys on devices never constantly online" in r.output


def test_columns_is_read_when_printing_not_when_the_console_was_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    console = PipeFriendlyConsole(file=io.StringIO())
    monkeypatch.delenv("COLUMNS")
    console.print(_wide_table())
    assert max(map(len, console.file.getvalue().splitlines())) > 200  # type: ignore[attr-defined]
    assert PipeFriendlyConsole(file=io.StringIO(), width=50).width == 50


def test_the_workspace_option_comes_before_each_command_s_own_options() -> None:
    params = [p.name for p in dict(_all_commands())["results"].params]
    assert params[0] == "control_id" and params[1] == "workspace"
