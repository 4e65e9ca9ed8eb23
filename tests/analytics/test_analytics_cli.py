"""Every analytics command works from the CLI with --json, files a workpaper, exports."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from helpers_analytics import amounts_table, commit_dataset, workspace_at
from openpyxl import load_workbook
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.errors import KansaError
from kansa.vault import Vault, sha256_file
from kansa.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    w = workspace_at(tmp_path_factory.mktemp("cli") / "ws")
    rng = random.Random(2)
    n = 2500
    t0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    amounts = [int(10 ** rng.uniform(14, 23)) for _ in range(n)]
    commit_dataset(
        w,
        "withdrawals",
        amounts_table(
            amounts,
            withdrawal_id=[f"W{i:05d}" for i in range(n)],
            destination_address=[f"0x{rng.randint(0, 500):040x}" for _ in range(n)],
            requested_at=pa.array(
                [t0 + dt.timedelta(minutes=rng.randint(0, 86400)) for _ in range(n)],
                pa.timestamp("us", tz="UTC"),
            ),
            asset=[rng.choice(["BTC", "ETH"]) for _ in range(n)],
        ),
    )
    commit_dataset(
        w,
        "auth_events",
        pa.table(
            {
                "host": ["a"] * 10 + ["b"] * 10,
                "seq": pa.array([*range(1, 11), *range(1, 12)][:20], pa.int64()),
            }
        ),
    )
    return w


def _run(ws: Workspace, line: str, *extra: str) -> dict[str, Any]:
    """Run ``kansa -w WS LINE EXTRA... --json`` (LINE as typed; EXTRA for paths)."""
    result = runner.invoke(app, ["-w", str(ws.root), *line.split(), *extra, "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output)


def _assert_filed(ws: Workspace, doc: dict[str, Any]) -> None:
    """The workpaper is a ledger entry whose outputs hash to the files in the vault."""
    wp = doc["workpaper"]
    entry = next(e for e in Vault(ws.vault_dir).ledger.read() if e.seq == wp["ledger_seq"])
    assert entry.kind == "workpaper" and entry.payload["workpaper_id"] == doc["id"]
    for rel, digest in entry.outputs.items():
        assert sha256_file(ws.vault_dir / rel) == digest
    stored = json.loads(
        (ws.vault_dir / next(r for r in entry.outputs if r.endswith(".json"))).read_text()
    )
    assert stored["id"] == doc["id"] and stored["schema"] == "kansa.workpaper/1"


# (analysis, command line) as a user types it
COMMANDS = [
    ("benford", "benford withdrawals --column amount --test first"),
    ("benford", "benford withdrawals --column amount --test last-two"),
    ("duplicates", "duplicates withdrawals --keys destination_address,amount --within 10m"),
    (
        "duplicates",
        "duplicates withdrawals --keys destination_address,amount --within 1h --fuzzy",
    ),
    ("gaps", "gaps auth_events --sequence seq --by host"),
    ("stratify", "stratify withdrawals --column amount --bands 10 --filter asset=BTC"),
    (
        "ageing",
        "ageing withdrawals --date requested_at --as-of 2027-01-31 --buckets 30,60,90"
        " --amount amount",
    ),
    ("outliers", "outliers withdrawals --column amount --by asset --log"),
    (
        "sample-size",
        "sample size --method attribute --confidence 0.95 --tolerable-rate 0.05"
        " --expected-rate 0.01",
    ),
    (
        "sample-size",
        "sample size --method mus --tolerable-misstatement 50000000"
        " --expected-misstatement 5000000 --population-value 1000000000",
    ),
    (
        "sample-size",
        "sample size --method mus --mus-formula gamma --tolerable-misstatement 5%"
        " --dataset withdrawals --amount amount --filter asset=ETH",
    ),
    ("sample-draw", "sample draw withdrawals --method systematic --size 30 --seed 1"),
]


@pytest.mark.parametrize(
    ("analysis", "line"), COMMANDS, ids=[" ".join(c.split()[:3]) for _, c in COMMANDS]
)
def test_command_json_and_workpaper(ws: Workspace, analysis: str, line: str) -> None:
    # tolerable as an amount: about 5% of the population value
    doc = _run(ws, line.replace("5%", str(10**21)))
    assert doc["analysis"] == analysis
    assert doc["conclusion"]["en"] and doc["conclusion"]["ja"]
    _assert_filed(ws, doc)


def test_issue_example_sample_size_is_93(ws: Workspace) -> None:
    doc = _run(ws, "sample size --method attribute --tolerable-rate 0.05 --expected-rate 0.01")
    assert doc["summary"]["sample_size"] == 93


def test_benford_xlsx_has_summary_chart_and_records(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "benford.xlsx"
    doc = _run(ws, "benford withdrawals --test first-two", "-o", str(out))
    assert sha256_file(out) in doc["workpaper"]["files"].values()  # the vault's bytes
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "Digits", "Records"]
    assert len(wb["Digits"]._charts) == 1
    assert wb["Digits"].max_row == 91


def test_mus_draw_fill_in_and_evaluate(ws: Workspace, tmp_path: Path) -> None:
    drawn = tmp_path / "sample.xlsx"
    _run(
        ws,
        "sample draw withdrawals --method mus --amount amount --filter asset=ETH"
        f" --size 40 --seed 42 --tolerable-misstatement {10**24} -o",
        str(drawn),
    )
    wb = load_workbook(drawn)
    sheet = wb["Records"]
    head = [c.value for c in sheet[1]]
    book, audited = head.index("amount") + 1, head.index("audited_value") + 1
    for r in range(2, sheet.max_row + 1):
        value = int(sheet.cell(r, book).value)  # text: wei exceed Excel's 15 digits
        sheet.cell(r, audited).value = str(value // 4 if r == 2 else value)
    filled = tmp_path / "sample-done.xlsx"
    wb.save(filled)
    doc = _run(ws, "sample evaluate", str(filled))
    over = doc["summary"]["overstatement"]
    assert over["misstatements"] == 1
    assert doc["parameters"]["draw"]["seed"] == 42
    assert doc["inputs"][0]["sha256"] == sha256_file(filled)
    assert doc["summary"]["supported"] in (True, False) and "tolerable" in doc["conclusion"]["en"]


def test_attribute_draw_csv_and_evaluate(ws: Workspace, tmp_path: Path) -> None:
    drawn = tmp_path / "s.csv"
    _run(
        ws,
        "sample draw withdrawals --method random --size 50 --seed 3 --tolerable-rate 0.1 -o",
        str(drawn),
    )
    lines = drawn.read_text().splitlines()
    head = lines[0].split(",")
    col = head.index("deviation")
    rows = [ln.split(",") for ln in lines[1:]]
    for i, r in enumerate(rows):
        r[col] = "yes" if i < 2 else "no"
    drawn.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    doc = _run(ws, "sample evaluate", str(drawn))
    assert (
        doc["summary"]["deviations"] == 2
        and doc["summary"]["upper_deviation_limit_table_pct"] == 12.1
    )  # AICPA A-3: n=50, 2 -> 12.1%
    assert doc["summary"]["supported"] is False


def test_evaluate_refuses_an_unfilled_sample(ws: Workspace, tmp_path: Path) -> None:
    drawn = tmp_path / "blank.xlsx"
    _run(
        ws,
        "sample draw withdrawals --method mus --amount amount --filter asset=BTC"
        " --size 5 --seed 1 -o",
        str(drawn),
    )
    result = runner.invoke(app, ["-w", str(ws.root), "sample", "evaluate", str(drawn)])
    assert isinstance(result.exception, KansaError) and "audited_value" in result.exception.message


def test_refusal_reaches_the_user_as_a_kansa_error(ws: Workspace) -> None:
    result = runner.invoke(app, ["-w", str(ws.root), "benford", "auth_events", "--column", "seq"])
    assert (
        isinstance(result.exception, KansaError) and "Too few records" in result.exception.message
    )


def test_value_weighted_work_across_assets_is_refused(ws: Workspace) -> None:
    """BTC amounts are satoshi, ETH amounts wei: their sum means nothing."""
    line = "sample draw withdrawals --method mus --amount amount --size 5"
    result = runner.invoke(app, ["-w", str(ws.root), *line.split()])
    assert isinstance(result.exception, KansaError) and "mixes assets" in result.exception.message
    assert result.exception.hint is not None and "--filter asset=" in result.exception.hint


def test_filter_is_recorded_with_the_input(ws: Workspace) -> None:
    doc = _run(ws, "stratify withdrawals --filter asset=ETH --bands 3")
    assert doc["inputs"][0]["filters"] == {"asset": "ETH"}
    assert doc["summary"]["records"] < 2500
