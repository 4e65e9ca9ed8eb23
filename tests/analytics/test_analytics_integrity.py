"""Analytics never file a workpaper computed from a snapshot other than the one its ledger
entry vouches for; CSV and XLSX exports never turn evidence text into a formula."""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from helpers_analytics import amounts_table, commit_dataset, workspace_at
from openpyxl import load_workbook

from evidence_edit import edit_value
from kansa.cli.app import main
from kansa.vault import Snapshot, Vault
from kansa.workspace import Workspace

N = 600
HYPERLINK = '=HYPERLINK("http://x","y")'

# every analytics command that reads a snapshot, as a user types it
COMMANDS = {
    "sample draw": "sample draw withdrawals --method random --size 5 --seed 1",
    "sample size": "sample size --method mus --tolerable-misstatement 1000000000000000000000"
    " --dataset withdrawals --amount amount --filter asset=ETH",
    "benford": "benford withdrawals --column amount --test first",
    "duplicates": "duplicates withdrawals --keys destination_address,amount --within 10m",
    "gaps": "gaps withdrawals --sequence seq",
    "stratify": "stratify withdrawals --column amount --bands 4 --filter asset=BTC",
    "ageing": "ageing withdrawals --date requested_at --as-of 2027-01-31 --buckets 30,60",
    "outliers": "outliers withdrawals --column amount --by asset --log",
}


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


def _withdrawals(ws: Workspace) -> Snapshot:
    rng = random.Random(5)
    t0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    memos = [HYPERLINK, "-refund", "@ops", "+44 20", "'quoted", "\tlead"]
    return commit_dataset(
        ws,
        "withdrawals",
        amounts_table(
            [int(10 ** rng.uniform(14, 22)) for _ in range(N)],
            withdrawal_id=[f"W{i:05d}" for i in range(N)],
            destination_address=[f"0x{rng.randint(0, 50):040x}" for _ in range(N)],
            requested_at=pa.array(
                [t0 + dt.timedelta(minutes=rng.randint(0, 86400)) for _ in range(N)],
                pa.timestamp("us", tz="UTC"),
            ),
            asset=[rng.choice(["BTC", "ETH"]) for _ in range(N)],
            seq=pa.array(range(1, N + 1), pa.int64()),
            memo=[memos[i % len(memos)] for i in range(N)],
            fee=pa.array([-(i % 7) for i in range(N)], pa.int64()),
        ),
    )


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Snapshot]:
    """A workspace whose withdrawals snapshot was edited after it was committed."""
    ws = workspace_at(tmp_path_factory.mktemp("edited") / "ws")
    snap = _withdrawals(ws)
    edit_value(snap.path, "amount", 10**25)
    return ws, snap


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_analysis_refuses_an_edited_snapshot(
    edited: tuple[Workspace, Snapshot],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: str,
) -> None:
    ws, snap = edited
    ledger = (ws.vault_dir / "ledger.jsonl").read_bytes()
    out = tmp_path / "wp.xlsx"
    code, said = kansa(capsys, "-w", str(ws.root), *COMMANDS[command].split(), "-o", str(out))
    assert code == 2, said
    unwrapped, spaced = said.replace("\n", ""), " ".join(said.split())
    assert f"vault/snapshots/withdrawals/{snap.sha256}.parquet" in unwrapped
    assert f"ledger entry #{snap.seq}" in spaced and "does not match" in spaced
    assert (ws.vault_dir / "ledger.jsonl").read_bytes() == ledger  # no workpaper filed
    assert not out.exists()


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = workspace_at(tmp_path_factory.mktemp("intact") / "ws")
    _withdrawals(ws)
    return ws


def _draw(capsys: pytest.CaptureFixture[str], ws: Workspace, out: Path, seed: int) -> None:
    """Draw every record (``seed`` differs per test: the same draw twice in one second would
    be the same workpaper id)."""
    line = f"sample draw withdrawals --method random --size {N} --seed {seed} --tolerable-rate 0.1"
    code, said = kansa(capsys, "-w", str(ws.root), *line.split(), "-o", str(out))
    assert code == 0, said


def test_csv_export_quotes_formula_text_and_keeps_negative_numbers(
    intact: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "sample.csv"
    _draw(capsys, intact, out, seed=1)
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    memos = {r["memo"] for r in rows}
    assert memos == {"'" + HYPERLINK, "'-refund", "'@ops", "'+44 20", "''quoted", "'\tlead"}
    assert {r["fee"] for r in rows} == {"0", "-1", "-2", "-3", "-4", "-5", "-6"}  # numbers


def test_a_drawn_csv_reads_back_as_the_evidence_says(
    intact: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``sample evaluate`` removes exactly the quote the export added."""
    from kansa.analytics.sampling.sample_file import read_sample_file

    out = tmp_path / "sample.csv"
    _draw(capsys, intact, out, seed=2)
    sample = read_sample_file(out)
    assert {r["memo"] for r in sample.rows} == {
        HYPERLINK,
        "-refund",
        "@ops",
        "+44 20",
        "'quoted",
        "\tlead",
    }


def test_xlsx_workpaper_keeps_formula_text_as_text(
    intact: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "sample.xlsx"
    _draw(capsys, intact, out, seed=3)
    sheet = load_workbook(out)["Records"]
    head = [c.value for c in sheet[1]]
    col = head.index("memo") + 1
    cells = [sheet.cell(r, col) for r in range(2, sheet.max_row + 1)]
    assert HYPERLINK in {c.value for c in cells}
    assert {c.data_type for c in cells} == {"s"}  # never "f" (a formula)
    filed = [e for e in Vault(intact.vault_dir).ledger.read() if e.kind == "workpaper"][-1]
    vault_copy = next(r for r in filed.outputs if r.endswith(".xlsx"))
    stored = load_workbook(intact.vault_dir / vault_copy)["Records"]
    assert {stored.cell(r, col).data_type for r in range(2, stored.max_row + 1)} == {"s"}
