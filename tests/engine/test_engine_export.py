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
