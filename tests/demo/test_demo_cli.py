"""``kansa demo`` end to end: files only, and into a fresh workspace through real ingest."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.contracts import load_contracts
from kansa.errors import KansaError
from kansa.vault import Vault
from kansa.workspace import find_workspace

runner = CliRunner()


def test_no_ingest_writes_files_and_ground_truth(tmp_path: Path) -> None:
    out = tmp_path / "files"
    result = runner.invoke(
        app,
        ["demo", "--customers", "300", "--days", "7", "--no-ingest", "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary["workspace"] is None
    assert set(summary["rows"]) == set(load_contracts())
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["customers"] == 300 and truth["start"] == "2026-10-27"


def test_workspace_dir_creates_ingests_and_keeps_ground_truth(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    result = runner.invoke(
        app,
        [
            "demo",
            "--customers",
            "300",
            "--days",
            "7",
            "--seed",
            "3",
            "--workspace-dir",
            str(ws_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    ws = find_workspace(ws_dir)
    latest = Vault(ws.vault_dir).latest_all()
    assert set(latest) == set(load_contracts())
    assert latest["customer_balances"].rows > 300
    truth = ws.root / "demo" / "ground_truth.json"
    assert json.loads(truth.read_text(encoding="utf-8"))["seed"] == 3


def test_bad_start_date_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--start", "27/10/2026", "--no-ingest", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0


def test_out_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(
        app, ["demo", "--customers", "100", "--days", "7", "--no-ingest", "--out", str(taken)]
    )
    assert isinstance(result.exception, KansaError) and "--out" in result.exception.message
    assert taken.read_text(encoding="utf-8") == "mine\n"


def test_a_period_past_the_last_date_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["demo", "--start", "9999-12-30", "--days", "7", "--no-ingest", "--out", str(tmp_path)],
    )
    assert isinstance(result.exception, KansaError) and "--start" in result.exception.message
