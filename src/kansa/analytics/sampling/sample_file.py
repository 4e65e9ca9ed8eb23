"""Read back a drawn sample with the auditor's results: XLSX, CSV or JSON.

* XLSX (as ``kansa sample draw -o x.xlsx`` writes it): parameters and results from the
  two-column rows of the ``Summary`` sheet, items from the ``Records`` sheet.
* CSV: the items; parameters from ``NAME.params.json`` beside it when present (``kansa sample
  draw -o x.csv`` writes it), else from command-line options. The leading ``'`` the export puts
  before formula-like text (:mod:`kansa.csv_cells`) is removed again.
* JSON: the draw workpaper document (``parameters``, ``summary``, ``records``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kansa.csv_cells import restore
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import sha256_file


@dataclass
class SampleFile:
    path: Path
    sha256: str
    parameters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]


def params_sidecar(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + ".params.json")


def _from_xlsx(path: Path) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        params: dict[str, Any] = {}
        if "Summary" in wb.sheetnames:
            for row in wb["Summary"].iter_rows(values_only=True):
                if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
                    params.setdefault(row[0], row[1])
        if "Records" not in wb.sheetnames:
            raise KansaError(
                tr(
                    f"{path.name} has no Records sheet.",
                    f"{path.name} に Records シートがありません。",
                )
            )
        it = wb["Records"].iter_rows(values_only=True)
        header = [str(c) if c is not None else "" for c in next(it, ())]
        rows = []
        for r in it:
            if r and isinstance(r[0], str) and r[0].startswith("..."):
                break
            if any(c is not None for c in r):
                rows.append(dict(zip(header, r, strict=False)))
        return params, header, rows
    finally:
        wb.close()


def _text(value: Any) -> Any:
    return restore(value) if isinstance(value, str) else value


def _from_csv(path: Path) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    params: dict[str, Any] = {}
    side = params_sidecar(path)
    if side.is_file():
        doc = json.loads(side.read_text(encoding="utf-8"))
        params = {**doc.get("summary", {}), **doc.get("parameters", {})}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        # undo the one quote ``-o x.csv`` put before formula-like text (kansa.csv_cells)
        rows = [{_text(k): _text(v) for k, v in r.items()} for r in reader]
        return params, [restore(c) for c in reader.fieldnames or []], rows


def _from_json(path: Path) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    rec = doc.get("records") or {}
    cols = list(rec.get("columns", []))
    rows = [dict(zip(cols, r, strict=False)) for r in rec.get("rows", [])]
    return {**doc.get("summary", {}), **doc.get("parameters", {})}, cols, rows


def read_sample_file(path: Path) -> SampleFile:
    if not path.is_file():
        raise KansaError(tr(f"No such file: {path}", f"ファイルがありません: {path}"))
    readers = {".xlsx": _from_xlsx, ".csv": _from_csv, ".json": _from_json}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise KansaError(
            tr(
                f"Cannot read {path.name}: use .xlsx, .csv or .json.",
                f"{path.name} は読めません。.xlsx・.csv・.json を指定してください。",
            )
        )
    params, cols, rows = reader(path)
    return SampleFile(
        path=path, sha256=sha256_file(path), parameters=params, columns=cols, rows=rows
    )
