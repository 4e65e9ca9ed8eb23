"""The report as an Excel workbook: the same data as the HTML/PDF, as filterable tables.

Sheets: Summary, Controls, Findings, Exceptions (the first rows of each failing control's
exception file, read with DuckDB from the vault Parquet), Snapshots. Each sheet is one table:
header row frozen, autofilter on, column widths from the content. Text is always stored as
text, so evidence that starts with ``=`` never becomes a formula.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kansa.reports.cells import cell_value
from kansa.reports.data import ReportData
from kansa.reports.labels import LABELS
from kansa.vault.integrity import require_intact

DEFAULT_MAX_ROWS = 1000
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
MIN_WIDTH, MAX_WIDTH = 8, 60


def _width(value: Any) -> int:
    text = str(value) if value is not None else ""
    # East Asian characters take about two columns
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_cell(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever the evidence says
    elif isinstance(cell.value, date):
        cell.number_format = "yyyy-mm-dd"


def write_table(ws: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
    """One table from A1: styled frozen header, autofilter, widths fitted to the content."""
    widths = [_width(h) for h in headers]
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=c, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _write_cell(ws, r, c, value)
            widths[c - 1] = max(widths[c - 1], _width(ws.cell(row=r, column=c).value))
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 1)}"


def _summary(ws: Worksheet, d: ReportData, t: dict[str, Any]) -> None:
    run = d.run.payload if d.run else {}
    o = d.overview  # times as the HTML/PDF show them: in the workspace zone
    run_time = (o.run_time if o else d.run.time) if d.run else None
    rows: list[list[Any]] = [
        [t["workspace"], d.workspace],
        [t["generated"], o.generated if o else d.generated_at],
        [f"{t['ledger']} ({t['entries']})", d.ledger_entries],
        [f"{t['ledger']} {t['head']}", d.ledger_head],
        [t["run_id"], d.run_id],
        [t["run_seq"], d.run.seq if d.run else None],
        [t["run_time"], run_time],
        [t["as_of"], run.get("as_of")],
    ]
    if o:  # what the HTML/PDF cover page says, in the same words
        rows += [
            [t["company"], o.company],
            [t["period"], f"{o.period_start or ''} - {o.as_of or ''}"],
            [t["scope"], o.scope],
            [t["zone"], o.zone],
        ]
        rows += [[f"{t['executive']} ({i})", line] for i, line in enumerate(o.summary, 1)]
    rows += [[t["statuses"].get(s, s), n] for s, n in sorted(d.counts.items())]
    rows.append([t["open_findings"], len(d.findings)])
    if d.score:
        rows += [[t["precision"], d.score.get("precision")], [t["recall"], d.score.get("recall")]]
    write_table(ws, [t["item"], t["value"]], rows)


def _controls(ws: Worksheet, d: ReportData, t: dict[str, Any], shown: dict[str, int]) -> None:
    headers = [t["control"], t["title_col"], t["area"], t["severity"], t["status"], t["population"]]
    headers += [t["exceptions"], t["exceptions_shown"], t["version_hash"], t["exceptions_sha"]]
    rows = [
        [c.control_id, c.title, t["areas"].get(c.area, c.area),
         t["severities"].get(c.severity, c.severity), t["statuses"].get(c.status, c.status),
         c.population, c.exceptions, shown.get(c.control_id), c.version_hash,
         c.exceptions_sha256]
        for c in d.controls
    ]  # fmt: skip
    write_table(ws, headers, rows)


def _findings(ws: Worksheet, d: ReportData, t: dict[str, Any]) -> None:
    headers = [t["finding"], t["control"], t["title_col"], t["rating"], t["repeat"].capitalize()]
    headers += [t["exceptions"], t["occ"], t["first"], t["last"]]
    rows = [
        [f.finding_id, f.control_id, f.title, t["ratings"].get(f.rating, f.rating), f.repeat,
         f.exceptions, f.occurrences, f.first_seen_at, f.last_seen_at]
        for f in d.findings
    ]  # fmt: skip
    write_table(ws, headers, rows)


def read_exceptions(path: Path, max_rows: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The first ``max_rows`` rows of an exception file, in file order, times in UTC."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        lit = "'" + path.as_posix().replace("'", "''") + "'"
        rel = con.sql(f"select * from read_parquet({lit}) limit {int(max_rows)}")
        return list(rel.columns), rel.fetchall()
    finally:
        con.close()


def _exceptions(
    ws: Worksheet, d: ReportData, t: dict[str, Any], vault_root: Path, max_rows: int
) -> dict[str, int]:
    """One table for all failing controls: control, row number, then the union of columns
    (first seen first), so a filter on the control shows exactly its exception rows."""
    columns: list[str] = []
    blocks: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    assert d.run is not None or not d.failing
    for c in d.failing:
        assert c.exceptions_file is not None and d.run is not None
        # checked by gather(); checked again (a stat, the hash is remembered) right before reading
        path = require_intact(vault_root, c.exceptions_file, c.exceptions_sha256, d.run.seq)
        cols, rows = read_exceptions(path, max_rows)
        columns += [col for col in cols if col not in columns]
        blocks.append((c.control_id, cols, rows))
    table: list[list[Any]] = []
    for control_id, cols, rows in blocks:
        pos = [columns.index(col) for col in cols]
        for n, values in enumerate(rows, start=1):
            line: list[Any] = [None] * len(columns)
            for p, v in zip(pos, values, strict=True):
                line[p] = v
            table.append([control_id, n, *line])
    write_table(ws, [t["control"], t["row"], *columns], table)
    return {control_id: len(rows) for control_id, _, rows in blocks}


def _snapshots(ws: Worksheet, d: ReportData, t: dict[str, Any]) -> None:
    headers = [t["dataset"], t["rows"], t["contract"], t["ingested"], t["sha"]]
    rows = [[s.dataset, s.rows, s.contract_version, s.time, s.sha256] for s in d.snapshots]
    write_table(ws, headers, rows)


def render_xlsx(
    data: ReportData, language: str, vault_root: Path, max_rows: int = DEFAULT_MAX_ROWS
) -> bytes:
    """The workbook's bytes. Same data, same cell values (only the file's zip times differ)."""
    t = LABELS[language]
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    sheets = {name: wb.create_sheet(name) for name in ("Controls", "Findings", "Exceptions")}
    shown = _exceptions(sheets["Exceptions"], data, t, vault_root, max_rows)
    _summary(summary, data, t)
    _controls(sheets["Controls"], data, t, shown)
    _findings(sheets["Findings"], data, t)
    _snapshots(wb.create_sheet("Snapshots"), data, t)
    wb.properties.creator = "Kansa"
    wb.properties.created = datetime.fromisoformat(data.generated_at.removesuffix("Z"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
