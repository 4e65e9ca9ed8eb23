"""``kansa results --export x.csv``: a CSV that Excel opens as UTF-8."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kansa.engine.exceptions import export


def test_csv_export_starts_with_a_utf8_bom_for_excel_and_keeps_every_row(tmp_path: Path) -> None:
    """Excel reads a CSV as UTF-8 only after a BOM: Japanese text must not turn to mojibake."""
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
