"""Exporting a run's exception rows (``kansa results ID --export``) keeps the evidence as is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

from kansa.engine.exceptions import export


def test_xlsx_export_never_turns_evidence_text_into_a_formula(tmp_path: Path) -> None:
    """A ticket title or target like ``=HYPERLINK(...)`` is data from the audited system."""
    rows = tmp_path / "OPS-009.parquet"
    texts = ['=HYPERLINK("http://x.invalid","open")', "=1+1", "plain"]
    pq.write_table(pa.table({"action_id": ["A1", "A2", "A3"], "target": texts}), rows)
    dest = tmp_path / "out.xlsx"
    assert export(rows, dest) == 3
    sheet = openpyxl.load_workbook(dest)["exceptions"]
    cells = [sheet.cell(row=r, column=2) for r in range(2, 5)]
    assert [c.value for c in cells] == texts
    assert [c.data_type for c in cells] == ["s", "s", "s"]


def test_xlsx_export_of_text_excel_cannot_hold_is_a_clear_error(tmp_path: Path) -> None:
    """Control characters cannot go into a sheet: say so (no traceback, no silent change)."""
    import pytest

    from kansa.errors import KansaError

    rows = tmp_path / "ACC-009.parquet"
    pq.write_table(pa.table({"event_id": ["E1"], "device_id": ["dev\x01ice"]}), rows)
    with pytest.raises(KansaError, match="control characters") as refused:
        export(rows, tmp_path / "out.xlsx")
    assert ".csv" in str(refused.value.hint)
    assert export(rows, tmp_path / "out.csv") == 1


def test_csv_export_starts_with_a_utf8_bom_for_excel_and_keeps_every_row(tmp_path: Path) -> None:
    """Excel reads a CSV as UTF-8 only after a BOM: Japanese text must not turn to mojibake."""
    import csv

    rows = tmp_path / "PPL-001.parquet"
    pq.write_table(pa.table({"person_id": ["P1", "P2"], "部署": ["経営企画部", "財務部"]}), rows)
    assert export(rows, tmp_path / "out.csv") == 2
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [
            ["person_id", "部署"],
            ["P1", "経営企画部"],
            ["P2", "財務部"],
        ]
    assert not list(tmp_path.glob(".*.bom"))  # no temporary file left behind
    export(rows, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").read_bytes().startswith(b"\xef\xbb\xbf")
