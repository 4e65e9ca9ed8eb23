"""``kansa ingest`` as a user runs it (the real entry point, in process): exit codes 0 / 1 / 2
and machine-readable output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_testlib import tree_digest

from cli_entry import run_kansa as _kansa
from kansa.contracts import get_contract
from kansa.workspace import Workspace


def _staff_csv(path: Path, rows: list[str]) -> Path:
    header = ",".join(get_contract("staff").column_names)
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_ingest_ok_then_invalid_then_usage_error(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ok = _staff_csv(tmp_path / "staff.csv", ["S1,Aki,IT,employee,,2020-04-01,,"])
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "ingest", "staff", str(ok), "--json")
    assert code == 0
    done = json.loads(out)
    assert done["ok"] and done["rows"] == 1 and done["dataset"] == "staff" and done["seq"] == 0

    before = tree_digest(workspace.root)
    bad = _staff_csv(
        tmp_path / "bad.csv", ["S1,Aki,IT,boss,,2020-04-01,,", "S1,Aki,IT,employee,,x,,"]
    )
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "ingest", "staff", str(bad), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["total"] == 3
    assert {(p["line"], p["column"]) for p in report["problems"]} == {
        (2, "employment_type"),
        (3, "hired_on"),
        (3, "person_id"),
    }
    code, _, err = _kansa(
        workspace, capsys, monkeypatch, "ingest", "staff", str(bad), "--no-progress"
    )
    assert code == 1 and "employment_type" in err and "nothing was ingested" in err
    code, _, err = _kansa(
        workspace, capsys, monkeypatch, "ingest", "staff", str(tmp_path / "no.csv")
    )
    assert code == 2 and "No such file" in err
    assert tree_digest(workspace.root) == before


def test_user_data_is_never_read_as_markup(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = _staff_csv(tmp_path / "bad.csv", ["S1,Aki,IT,[bold]boss[/bold],,2020-04-01,,"])
    code, _, err = _kansa(
        workspace, capsys, monkeypatch, "ingest", "staff", str(bad), "--no-progress"
    )
    assert code == 1 and "[bold]boss[/bold]" in err


@pytest.mark.parametrize(("given", "sep"), [("\\t", "\t"), ("|", "|"), ("、", "、")])
def test_delimiter_as_typed_or_as_an_escape(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    given: str,
    sep: str,
) -> None:
    src = tmp_path / "roles.csv"
    src.write_text(
        sep.join(get_contract("roles").column_names)
        + "\n"
        + sep.join(["R1", "Ops", "core", "true", "system_admin"])
        + "\n",
        encoding="utf-8",
    )
    code, out, err = _kansa(
        workspace, capsys, monkeypatch, "ingest", "roles", str(src), "--delimiter", given, "--json"
    )
    assert code == 0, err
    assert json.loads(out)["delimiter"] == sep


@pytest.mark.parametrize("given", ["\\", "\\x", "\\u12"])
def test_a_broken_delimiter_escape_is_a_usage_error(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    given: str,
) -> None:
    src = _staff_csv(tmp_path / "staff.csv", ["S1,Aki,IT,employee,,2020-04-01,,"])
    code, _, err = _kansa(
        workspace, capsys, monkeypatch, "ingest", "staff", str(src), "--delimiter", given
    )
    assert code == 2 and "Traceback" not in err and "delimiter" in err
