"""``kansa report`` never shows exception rows that are not the ones the run's ledger entry
vouches for: an edited exception file stops every format, naming the file and the entry."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers_reports import make_demo_ws

from evidence_edit import edit_value, flip_byte
from kansa.cli.app import main
from kansa.vault import Vault


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_ws(tmp_path_factory)


@pytest.fixture
def ws(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo workspace, which the test may damage."""
    monkeypatch.setenv("KANSA_LANG", "en")
    copy = tmp_path / "ws"
    shutil.copytree(demo, copy, symlinks=True)
    return copy


def kansa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    old, sys.argv = sys.argv, ["kansa", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out + err


def _failing_file(ws: Path) -> tuple[int, str]:
    """(run entry seq, vault-relative exception file) of a failing control of the last run."""
    run = [e for e in Vault(ws / "vault").ledger.read() if e.kind == "run"][-1]
    failing = next(
        r for r in run.payload["results"] if r["status"] == "fail" and r.get("exceptions")
    )
    return run.seq, failing["exceptions_file"]


def _edit_first_text(path: Path) -> None:
    table = pq.read_table(path)
    for name in table.column_names:
        value = table.column(name)[0].as_py()
        if isinstance(value, str):
            edit_value(path, name, value + " (edited)")
            return
    raise AssertionError(f"{path} has no text column to edit")


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_an_edited_exception_file_stops_the_report(
    ws: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    seq, rel = _failing_file(ws)
    _edit_first_text(ws / "vault" / rel)
    ledger = (ws / "vault" / "ledger.jsonl").read_bytes()
    out = ws / "out" / f"report.{fmt}"
    code, said = kansa(capsys, "-w", str(ws), "report", "-o", str(out))
    assert code == 2, said
    flat = " ".join(said.split())
    assert f"vault/{rel}" in said.replace("\n", "")  # the file, named in full
    assert f"ledger entry #{seq}" in flat and "does not match" in flat
    assert not out.exists()  # nothing written
    assert (ws / "vault" / "ledger.jsonl").read_bytes() == ledger  # nothing filed


def test_a_missing_exception_file_is_refused_not_skipped(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report used to leave a deleted file's rows out without a word."""
    _, rel = _failing_file(ws)
    (ws / "vault" / rel).unlink()
    code, said = kansa(capsys, "-w", str(ws), "report", "-o", str(ws / "r.html"))
    assert code == 2 and "is missing" in said


def test_a_flipped_byte_is_refused(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, rel = _failing_file(ws)
    flip_byte(ws / "vault" / rel)
    code, said = kansa(capsys, "-w", str(ws), "report", "-o", str(ws / "r.html"))
    assert code == 2 and "does not match" in " ".join(said.split())


def test_an_intact_workspace_still_reports(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = kansa(capsys, "-w", str(ws), "report", "-o", str(ws / "r.xlsx"))
    assert code == 0, said
    assert (ws / "r.xlsx").exists()
