"""Write an analysis as an XLSX workpaper: a summary sheet, one sheet per table (with its
chart), and the selected or flagged records.

Amounts in the smallest unit (wei) exceed the 15 significant digits an Excel number holds, so
every DECIMAL value and every integer beyond 2^53 is written as text: what the auditor sees is
the exact figure. Text is always stored as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kansa.analytics.result import SAFE_INT, Analysis, Table, json_value

_BOLD = Font(bold=True)
_MAX_SHEET_NAME = 31


def cell_value(v: Any) -> Any:
    if isinstance(v, str):  # control characters Excel refuses are kept visible, as escapes
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", v)
    if isinstance(v, bool) or v is None or isinstance(v, float):
        return v
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, int):
        return v if abs(v) <= SAFE_INT else str(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, timedelta):
        return v.total_seconds()
    return str(json_value(v))


def _append(ws: Worksheet, values: list[Any]) -> None:
    """Append a row whose text stays text: openpyxl stores a string starting with ``=`` as a
    formula, and records come from the audited system (``=HYPERLINK(...)`` in a memo field)."""
    ws.append(values)
    row = ws.max_row  # an appended row is always the last one
    for col, value in enumerate(values, start=1):
        if isinstance(value, str):
            ws.cell(row=row, column=col).data_type = "s"


def _kv_rows(ws: Worksheet, heading: str, items: dict[str, Any]) -> None:
    _append(ws, [heading])
    ws.cell(row=ws.max_row, column=1).font = _BOLD
    for k, v in items.items():
        _append(ws, [k, cell_value(json_value(v) if isinstance(v, list | dict) else v)])
    _append(ws, [])


def _summary_sheet(ws: Worksheet, a: Analysis, doc: dict[str, Any]) -> None:
    ws.title = "Summary"
    _append(ws, [f"{a.title['en']} / {a.title['ja']}"])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    _append(ws, [])
    _kv_rows(
        ws,
        "Workpaper / 調書",
        {
            "id": doc.get("id", ""),
            "schema": doc["schema"],
            "analysis": a.analysis,
            "created_at": doc["created_at"],
            "kansa_version": doc["kansa_version"],
            "seed": a.seed,
        },
    )
    for i, inp in enumerate(a.inputs):
        _kv_rows(ws, f"Input {i + 1} / 入力 {i + 1}", inp)
    _kv_rows(ws, "Parameters / パラメータ", a.parameters)
    _kv_rows(ws, "Results / 結果", a.summary)
    _append(ws, ["Conclusion / 結論"])
    ws.cell(row=ws.max_row, column=1).font = _BOLD
    _append(ws, ["en", a.conclusion["en"]])
    _append(ws, ["ja", a.conclusion["ja"]])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90


def _table_sheet(ws: Worksheet, t: Table) -> None:
    _append(ws, list(t.columns))
    for c in range(1, len(t.columns) + 1):
        ws.cell(row=1, column=c).font = _BOLD
        ws.column_dimensions[get_column_letter(c)].width = 18
    for r in t.rows:
        _append(ws, [cell_value(v) for v in r])
    if t.truncated:
        _append(ws, [f"... {t.total} rows in all; the first {len(t.rows)} are shown"])
    ws.freeze_panes = "A2"
    if t.chart is not None and t.rows:
        _add_chart(ws, t)


def _add_chart(ws: Worksheet, t: Table) -> None:
    chart = t.chart
    assert chart is not None
    n = len(t.rows)
    cats = Reference(ws, min_col=t.columns.index(chart.category) + 1, min_row=2, max_row=n + 1)
    bars = BarChart()
    bars.title = chart.title
    bars.height, bars.width = 9, 22
    for name in chart.bars:
        col = t.columns.index(name) + 1
        bars.add_data(Reference(ws, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True)
    bars.set_categories(cats)
    if chart.lines:
        line = LineChart()
        for name in chart.lines:
            col = t.columns.index(name) + 1
            line.add_data(
                Reference(ws, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True
            )
        line.set_categories(cats)
        bars += line
    ws.add_chart(bars, f"{get_column_letter(len(t.columns) + 2)}2")


def _sheet_name(name: str, used: set[str]) -> str:
    base = name.replace("_", " ").title()[:_MAX_SHEET_NAME]
    out, i = base, 2
    while out in used:
        out = f"{base[: _MAX_SHEET_NAME - 3]} {i}"
        i += 1
    used.add(out)
    return out


def write_workbook(a: Analysis, doc: dict[str, Any], path: Path) -> None:
    """Write ``a`` (whose JSON document is ``doc``) to ``path``."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    _summary_sheet(first, a, doc)
    used = {"Summary"}
    for t in a.tables:
        _table_sheet(wb.create_sheet(_sheet_name(t.name, used)), t)
    if a.records is not None:
        _table_sheet(wb.create_sheet(_sheet_name(a.records.name, used)), a.records)
    wb.save(path)
