"""File an analysis as a workpaper: JSON + XLSX committed to the vault as one ledger entry.

Vault layout: ``workpapers/ANALYSIS/STAMP-ID.json`` and ``.xlsx``, where ``ID`` is the first 16
hex digits of the SHA-256 of the JSON document before its ``id`` was added. The ledger entry
(kind ``workpaper``) carries the parameters, input snapshot hashes, seed, summary and
conclusion, and the SHA-256 of both files.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kansa.analytics.result import Analysis, to_json
from kansa.analytics.workbook import cell_value, write_workbook
from kansa.csv_cells import neutralize
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.vault.hashing import canonical_json, sha256_text
from kansa.workspace import Workspace

EXPORT_SUFFIXES = (".xlsx", ".json", ".csv")


@dataclass(frozen=True)
class Filed:
    """A committed workpaper: its document, the ledger entry and the files in the vault."""

    document: dict[str, Any]
    ledger_seq: int
    json_path: Path
    xlsx_path: Path
    files: dict[str, str]


def build_document(a: Analysis, created_at: str | None = None) -> dict[str, Any]:
    """The JSON document with its content id."""
    stamp = created_at or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    doc = to_json(a, stamp)
    doc = {"id": sha256_text(canonical_json(doc))[:16], **doc}
    return doc


def _write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def file_workpaper(ws: Workspace, a: Analysis, actor: str | None = None) -> Filed:
    """Write both files to staging and commit them with one ledger entry (naming ``actor``,
    the web app's signed-in user; default the ledger's actor)."""
    vault = Vault(ws.vault_dir)
    doc = build_document(a)
    staged = vault.staging_dir()
    try:
        jpath, xpath = staged / "workpaper.json", staged / "workpaper.xlsx"
        _write_json(doc, jpath)
        write_workbook(a, doc, xpath)
        stamp = doc["created_at"].replace("-", "").replace(":", "")
        base = f"workpapers/{a.analysis}/{stamp}-{doc['id']}"
        payload = {
            "analysis": a.analysis,
            "workpaper_id": doc["id"],
            "schema": doc["schema"],
            "parameters": doc["parameters"],
            "inputs": doc["inputs"],
            "seed": a.seed,
            "summary": doc["summary"],
            "conclusion": doc["conclusion"],
        }
        files = {f"{base}.json": jpath, f"{base}.xlsx": xpath}
        entry = vault.commit("workpaper", payload, files, actor=actor)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return Filed(
        document=doc,
        ledger_seq=entry.seq,
        json_path=vault.root / f"{base}.json",
        xlsx_path=vault.root / f"{base}.xlsx",
        files=dict(entry.outputs),
    )


def export(a: Analysis, doc: dict[str, Any], target: Path, filed: Filed | None = None) -> None:
    """Write the workpaper to ``target`` as .xlsx, .json (the vault's bytes when filed) or .csv
    (the records, else the first table; text cells neutralized against formula injection)."""
    suffix = target.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise KansaError(
            tr(
                f"Cannot export to {target.name}: use .xlsx, .json or .csv.",
                f"{target.name} には出力できません。.xlsx・.json・.csv を指定してください。",
            )
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        if filed is not None:
            shutil.copyfile(filed.xlsx_path, target)
        else:
            write_workbook(a, doc, target)
    elif suffix == ".json":
        if filed is not None:
            shutil.copyfile(filed.json_path, target)
        else:
            _write_json(doc, target)
    else:
        _write_csv(a, target)


def _csv_cell(v: Any) -> Any:
    """One CSV cell: text neutralized so it never opens as a formula (:mod:`kansa.csv_cells`);
    numbers, negative ones included, written as numbers."""
    if v is None:
        return ""
    if isinstance(v, str):
        return neutralize(v)
    return cell_value(v)


def _write_csv(a: Analysis, target: Path) -> None:
    table = a.records if a.records is not None else (a.tables[0] if a.tables else None)
    with target.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        if table is None:
            for k, v in a.summary.items():
                w.writerow([neutralize(str(k)), _csv_cell(v)])
            return
        w.writerow([neutralize(str(c)) for c in table.columns])
        for row in table.rows:
            w.writerow([_csv_cell(v) for v in row])
