"""A Spark run with ``[spark] snapshot_root``: the executors read the snapshots there and write
the exception parts there, and the run leaves each committed exception set there at its vault
path; ``kansa verify`` then checks those copies against the ledger (issue 13).

A second local folder stands for the shared file system, as in tests/vault/test_vault_shared_copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.workspace import Workspace

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

runner = CliRunner()


def kansa(ws: Workspace, *args: str) -> Any:
    return runner.invoke(app, ["-w", str(ws.root), *args], catch_exceptions=False)


@pytest.fixture
def shared_run(spark: Any, spark_ws: Workspace, tmp_path: Path) -> tuple[Workspace, Path, dict]:
    """The custody book's snapshots copied to a 'shared' folder, and one Spark run there."""
    shared = tmp_path / "shared vault"
    shutil.copytree(spark_ws.vault_dir / "snapshots", shared / "snapshots")
    with (spark_ws.root / "kansa.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[spark]\nsnapshot_root = "{shared}"\n')
    done = kansa(spark_ws, "run", "--engine", "spark", "--controls", "CUS-001,CUS-002", "--json")
    assert done.exit_code == 0, done.output
    return spark_ws, shared, json.loads(done.output)


def _verify(ws: Workspace) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["-w", str(ws.root), "verify", "--json"])
    return result.exit_code, json.loads(result.output)


def test_the_run_leaves_its_exception_sets_on_the_shared_root(
    shared_run: tuple[Workspace, Path, dict],
) -> None:
    ws, shared, run = shared_run
    assert run["exceptions_root"] == str(shared)
    files = {r["control_id"]: r["exceptions_file"] for r in run["results"]}
    for rel in files.values():
        assert (shared / rel).read_bytes() == (ws.vault_dir / rel).read_bytes()
    assert not any((shared / "staging").iterdir())  # the executors' parts are gone
    code, doc = _verify(ws)
    assert code == 0 and doc["ok"], doc
    assert doc["shared_exceptions"] == {str(shared): 2}
    shown = kansa(ws, "results", "CUS-001", "--json")
    assert json.loads(shown.output)["rows"][0]["asset"] == "BTC"


def test_an_altered_or_removed_exception_set_on_the_shared_root_fails_verify(
    shared_run: tuple[Workspace, Path, dict],
) -> None:
    """One run, then each kind of damage in turn (a Spark run is the slow part)."""
    ws, shared, run = shared_run
    files = {r["control_id"]: r["exceptions_file"] for r in run["results"]}
    altered = shared / files["CUS-001"]
    data = bytearray(altered.read_bytes())
    data[len(data) // 2] ^= 0xFF
    altered.write_bytes(bytes(data))
    code, doc = _verify(ws)
    assert code == 1 and not doc["ok"]
    (issue,) = [i for i in doc["issues"] if i["kind"] == "shared-copy"]
    assert issue["where"] == files["CUS-001"] and "SHA-256" in issue["message"]
    (shared / files["CUS-002"]).unlink()
    code, doc = _verify(ws)
    assert code == 1
    issues = {i["where"]: i["message"] for i in doc["issues"] if i["kind"] == "shared-copy"}
    assert sorted(issues) == sorted(files.values())
    assert "missing" in issues[files["CUS-002"]] and "SHA-256" in issues[files["CUS-001"]]
