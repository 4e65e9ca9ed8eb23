"""``kansa ingest`` as a user runs it: exit codes 0 / 1 / 2 and machine-readable output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ingest_testlib import tree_digest

from kansa.contracts import get_contract
from kansa.workspace import Workspace

KANSA = [sys.executable, "-m", "kansa.cli.app"]


def _staff_csv(path: Path, rows: list[str]) -> Path:
    header = ",".join(get_contract("staff").column_names)
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _kansa(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KANSA, "-w", str(ws.root), *args], capture_output=True, text=True, check=False
    )


def test_ingest_ok_then_invalid_then_usage_error(workspace: Workspace, tmp_path: Path) -> None:
    ok = _staff_csv(tmp_path / "staff.csv", ["S1,Aki,IT,employee,,2020-04-01,,"])
    done = _kansa(workspace, "ingest", "staff", str(ok), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["ok"] and out["rows"] == 1 and out["dataset"] == "staff" and out["seq"] == 0

    before = tree_digest(workspace.root)
    bad = _staff_csv(
        tmp_path / "bad.csv", ["S1,Aki,IT,boss,,2020-04-01,,", "S1,Aki,IT,employee,,x,,"]
    )
    refused = _kansa(workspace, "ingest", "staff", str(bad), "--json")
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["ok"] is False and report["total"] == 3
    assert {(p["line"], p["column"]) for p in report["problems"]} == {
        (2, "employment_type"),
        (3, "hired_on"),
        (3, "person_id"),
    }
    table = _kansa(workspace, "ingest", "staff", str(bad))
    assert table.returncode == 1 and "employment_type" in table.stderr
    usage = _kansa(workspace, "ingest", "staff", str(tmp_path / "nope.csv"))
    assert usage.returncode == 2 and "No such file" in usage.stderr
    assert tree_digest(workspace.root) == before
