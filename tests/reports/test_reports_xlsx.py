"""The Excel report: the tables an auditor filters, checked against the vault evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from helpers_reports import kansa
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kansa.reports.cells import MAX_EXACT_INT, cell_value
from kansa.reports.labels import LABELS
from kansa.reports.xlsx import write_table
from kansa.vault import LedgerEntry, Vault, sha256_file

SHEETS = ["Summary", "Controls", "Findings", "Exceptions", "Snapshots"]


def _run(ws: Path) -> LedgerEntry:
    return [e for e in Vault(ws / "vault").ledger.entries() if e.kind == "run"][-1]


def _rows(sheet: Any) -> list[list[Any]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _as_read_back(value: Any) -> Any:
    """What a cell written from ``value`` reads back as (openpyxl returns dates as datetimes)."""
    v = cell_value(value)
    return datetime(v.year, v.month, v.day) if isinstance(v, date) else v


def test_xlsx_has_every_sheet_and_the_failing_controls(demo_ws: Path, monkeypatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")
    vault = Vault(demo_ws / "vault")
    before = len(vault.ledger.entries())
    out = demo_ws / "out" / "report.xlsx"
    kansa("-w", str(demo_ws), "report", "-o", str(out))
    entries = vault.ledger.entries()
    assert len(entries) == before + 1 and entries[-1].payload["format"] == "xlsx"
    (rel,) = entries[-1].outputs
    assert (vault.root / rel).read_bytes() == out.read_bytes()
    kansa("-w", str(demo_ws), "verify")

    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    for name in SHEETS:
        assert wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref
    run = _run(demo_ws)
    header, *controls = _rows(wb["Controls"])
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in controls}
    assert len(controls) == len(run.payload["results"])
    for r in run.payload["results"]:
        row = by_id[r["control_id"]]
        status = LABELS["en"]["statuses"][r["status"]]  # shown in words: "not tested"
        assert row["Status"] == status and row["Exceptions"] == r["exceptions"]
        assert row["Control version hash"] == r["version_hash"]
        if r["status"] in ("error", "not_tested"):  # no verdict (an input left empty): no file
            assert r["exceptions_file"] is None and not row["Exceptions file SHA-256"]
            continue
        exc = vault.root / r["exceptions_file"]
        assert (
            row["Exceptions file SHA-256"]
            == sha256_file(exc)
            == run.outputs[str(exc.relative_to(vault.root))]
        )
    summary = dict(_rows(wb["Summary"])[1:])
    assert summary["Run id"] == run.payload["run_id"] and summary["fail"] >= 1
    assert summary["Precision"] == 1.0 and summary["Recall"] == 1.0
    snaps = {row[0]: row for row in _rows(wb["Snapshots"])[1:]}
    for s in vault.latest_all().values():
        assert snaps[s.dataset][1] == s.rows and snaps[s.dataset][4] == s.sha256
    findings = _rows(wb["Findings"])[1:]
    assert findings and {f[3] for f in findings} <= {
        "deficiency",
        "significant deficiency",
        "material weakness",
    }


def test_xlsx_exceptions_match_the_vault_parquet(demo_ws: Path) -> None:
    out = demo_ws / "out" / "two.xlsx"
    kansa("-w", str(demo_ws), "report", "--lang", "ja", "--max-rows", "2", "-o", str(out))
    wb = load_workbook(out)
    header, *rows = _rows(wb["Exceptions"])
    vault = Vault(demo_ws / "vault")
    failing = [r for r in _run(demo_ws).payload["results"] if r["status"] == "fail"]
    assert failing
    for r in failing:
        mine = [row for row in rows if row[0] == r["control_id"]]
        expected = pq.read_table(vault.root / r["exceptions_file"]).slice(0, 2).to_pylist()
        assert len(mine) == len(expected) == min(2, r["exceptions"])
        for n, (row, record) in enumerate(zip(mine, expected, strict=True), start=1):
            assert row[1] == n
            got = {col: v for col, v in zip(header[2:], row[2:], strict=True) if col in record}
            assert got == {col: _as_read_back(v) for col, v in record.items()}
    controls = {row[0]: row for row in _rows(wb["Controls"])[1:]}
    assert controls[failing[0]["control_id"]][1]  # Japanese title present
    assert "顧客暗号資産のコールドウォレット管理" in {row[1] for row in controls.values()}


def test_xlsx_cell_values_depend_only_on_the_data(demo_ws: Path) -> None:
    a, b = demo_ws / "out" / "a.xlsx", demo_ws / "out" / "b.xlsx"
    kansa("-w", str(demo_ws), "report", "--lang", "en", "-o", str(a))
    kansa("-w", str(demo_ws), "report", "--lang", "en", "-o", str(b))
    wa, wb = load_workbook(a), load_workbook(b)
    for name in ["Controls", "Findings", "Exceptions", "Snapshots"]:
        assert _rows(wa[name]) == _rows(wb[name])
    # the Summary differs only in when it was made and the ledger (the first report is in it)
    sa, sb = dict(_rows(wa["Summary"])), dict(_rows(wb["Summary"]))
    changed = {k for k in sa if sa[k] != sb[k]}
    assert changed <= {"Generated", "Ledger (entries)", "Ledger head hash"}


def test_evidence_text_never_becomes_a_formula(tmp_path: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    hostile = '=HYPERLINK("http://x","click")'
    write_table(sheet, ["note"], [[hostile]])
    wb.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A2"]
    assert cell.data_type == "s" and cell.value == hostile


@given(st.integers(min_value=-(2**127), max_value=2**127))
def test_amounts_past_double_precision_stay_exact(n: int) -> None:
    v = cell_value(n)
    assert (v == n) if abs(n) <= MAX_EXACT_INT else (v == str(n))
    d = cell_value(Decimal(n))
    assert Decimal(d) == n if isinstance(d, str) else d == n


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_are_written_without_rounding(d: Decimal) -> None:
    v = cell_value(d)
    assert Decimal(v if isinstance(v, str) else repr(v)) == d
