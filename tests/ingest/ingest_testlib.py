"""Helpers shared by the ingest tests: a test contract, file writers, a workspace tree digest."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import duckdb

from kansa.contracts import Contract
from kansa.contracts.loader import parse_contract
from kansa.vault import Snapshot

_D = "description: {en: x, ja: x}"

PAYMENTS_YAML = f"""
name: t_payments
version: 1
title: {{en: Test payments, ja: テスト}}
{_D}
primary_key: [payment_id]
columns:
  - {{name: payment_id, type: string, {_D}}}
  - {{name: memo, type: string, nullable: true, {_D}}}
  - {{name: amount, type: amount, {_D}}}
  - {{name: balance, type: signed_amount, nullable: true, {_D}}}
  - {{name: rate, type: number, nullable: true, minimum: 0, maximum: 1, {_D}}}
  - {{name: tries, type: integer, nullable: true, minimum: 1, {_D}}}
  - {{name: paid_at, type: timestamp, {_D}}}
  - {{name: value_date, type: date, nullable: true, {_D}}}
  - {{name: approved, type: boolean, nullable: true, {_D}}}
  - {{name: status, type: string, allowed: [ok, held], {_D}}}
  - {{name: ref, type: string, nullable: true, unique: true, pattern: "^R[0-9]+$", {_D}}}
"""

HEADER = [
    "payment_id",
    "memo",
    "amount",
    "balance",
    "rate",
    "tries",
    "paid_at",
    "value_date",
    "approved",
    "status",
    "ref",
]


def payments() -> Contract:
    return parse_contract(PAYMENTS_YAML, "test:t_payments")


def good_row(i: int, **over: str) -> dict[str, str]:
    row = {
        "payment_id": f"P{i}",
        "memo": f"memo {i}",
        "amount": str(10**20 + i),
        "balance": str(-i),
        "rate": "0.5",
        "tries": "1",
        "paid_at": "2026-11-20T09:00:00+09:00",
        "value_date": "2026-11-20",
        "approved": "true",
        "status": "ok",
        "ref": f"R{i}",
    }
    row.update(over)
    return row


def csv_text(
    rows: list[dict[str, str]], header: list[str] | None = None, delimiter: str = ","
) -> str:
    header = header or HEADER
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return buf.getvalue()


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    header: list[str] | None = None,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    path.write_bytes(csv_text(rows, header, delimiter).encode(encoding))
    return path


def tree_digest(root: Path) -> str:
    """SHA-256 over every path under ``root`` (files, folders, links) and every file's bytes."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                h.update(f"L {rel} {os.readlink(p)}\n".encode())
            elif p.is_dir():
                h.update(f"D {rel}\n".encode())
            else:
                h.update(f"F {rel} {hashlib.sha256(p.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


def rows_of(snap: Snapshot) -> list[dict[str, Any]]:
    """The rows this ingest loaded (a dated dataset: the days it added or replaced)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    loaded = set(snap.payload.get("days_added", [])) | {
        r["day"] for r in snap.payload.get("days_replaced", [])
    }
    files = [
        str(path)
        for (path, _), day in zip(snap.files, snap.days or [None] * len(snap.files), strict=True)
        if day is None or day.isoformat() in loaded
    ]
    rel = con.execute("SELECT * FROM read_parquet($1)", [files])
    names = [d[0] for d in rel.description]
    return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
