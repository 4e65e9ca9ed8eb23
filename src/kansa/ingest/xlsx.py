"""An Excel sheet (``.xlsx``) as a UTF-8 CSV in staging, with the sheet's row numbers kept.

Read with openpyxl in read-only mode (rows are streamed, the workbook is never loaded whole)
and cached values (``data_only``: a formula counts as the value Excel last computed). Cells are
written as text the contract checks and mappings read: numbers without float noise
(``0.115429725`` stays ``0.115429725``; a whole float is written as an integer), dates as
``YYYY-MM-DD``, date-times as ``YYYY-MM-DD HH:MM:SS`` (naive, read in the workspace's zone),
booleans as ``true``/``false``. Wholly empty rows (Excel keeps formatted blank rows) are skipped;
problems name the sheet's row number.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest.problems import InvalidData, Problem
from kansa.ingest.sources import Source


@dataclass(frozen=True)
class SheetSource(Source):
    """A CSV written from a sheet: record ``i`` is the sheet's row ``sheet_rows[i]``."""

    sheet_rows: tuple[int, ...] = ()

    def lines_for(self, records: Iterable[int]) -> dict[int, int]:
        return {r: self.sheet_rows[r] for r in records if 0 <= r < len(self.sheet_rows)}


def as_sheet_source(source: Source, rows: tuple[int, ...]) -> SheetSource:
    fields = {f.name: getattr(source, f.name) for f in dataclasses.fields(source)}
    return SheetSource(**fields, sheet_rows=rows)


def sheet_names(path: Path) -> list[str]:
    import openpyxl  # heavy; only Excel input pays for it

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def cell_text(value: Any, number_format: str) -> str:
    """A cell as the text an export would hold (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        fmt = number_format.lower()
        if value.time() == dt.time() and "h" not in fmt and "s" not in fmt:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def sheet_to_csv(path: Path, sheet: str | None, dest: Path, display_name: str) -> tuple[int, ...]:
    """Write the sheet to ``dest``; return the sheet row number of each data record."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, XML and its own errors alike
        raise InvalidData(
            display_name,
            [
                Problem(
                    display_name,
                    None,
                    None,
                    None,
                    None,
                    tr("an Excel .xlsx workbook: ", "Excel .xlsx ブック: ") + str(exc),
                )
            ],
        ) from None
    try:
        ws = wb[_sheet(wb.sheetnames, sheet, display_name)]
        return _write(ws.iter_rows(), dest, display_name)
    finally:
        wb.close()


def _sheet(names: list[str], sheet: str | None, display_name: str) -> str:
    if sheet is None and len(names) == 1:
        return names[0]
    if sheet in names:
        return sheet
    listed = ", ".join(names)
    raise KansaError(
        tr(
            f"{display_name}: {'no sheet ' + repr(sheet) if sheet else 'several sheets'}; "
            f"the sheets are: {listed}",
            f"{display_name}: {'シート ' + repr(sheet) + ' がありません' if sheet else '複数のシートがあります'}。"
            f"シート: {listed}",
        ),
        hint=tr(
            'Name the sheet with sheet = "..." in kansa.toml mappings.DATASET (or --sheet).',
            'kansa.toml の mappings.DATASET に sheet = "..." を設定してください（または --sheet）。',
        ),
    )


def _write(rows: Iterable[Any], dest: Path, display_name: str) -> tuple[int, ...]:
    numbers: list[int] = []
    width = 0
    with dest.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        for number, row in enumerate(rows, start=1):
            values = [cell_text(c.value, getattr(c, "number_format", "") or "") for c in row]
            while values and values[-1] == "":
                values.pop()
            if not values:
                continue
            if not width:
                width = len(values)
            elif len(values) > width:
                raise InvalidData(
                    display_name,
                    [
                        Problem(
                            display_name,
                            number,
                            None,
                            None,
                            None,
                            tr(
                                f"values only under the {width} header columns",
                                f"ヘッダーの {width} 列の範囲内の値",
                            ),
                        )
                    ],
                )
            else:
                numbers.append(number)
            out.writerow(values + [""] * (width - len(values)))
    return tuple(numbers)
