"""Reading a committed run's exception rows back: paging, export, and the hash check.

The files are the vault's evidence, so they are read in place (read-only) with DuckDB and
never loaded whole: a page is a LIMIT/OFFSET scan, an export streams from DuckDB to the file.
"""

from __future__ import annotations

import codecs
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from kansa.csv_cells import neutralize, neutralize_sql
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Vault, sha256_file
from kansa.vault.integrity import EvidenceAltered, require_intact
from kansa.vault.ledger import LedgerEntry

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit (1,048,576 rows) minus the header row
EXPORT_FORMATS = (".csv", ".parquet", ".xlsx")


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def count_rows(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)


def columns(path: Path) -> list[str]:
    return list(pq.ParquetFile(path).schema_arrow.names)


def read_page(
    path: Path, page: int, size: int, *, order_by: str | None = None, descending: bool = False
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and the rows of 1-based ``page`` (``size`` rows each), in file order or
    sorted by the column ``order_by`` (which must be one of the file's columns)."""
    offset = max(page - 1, 0) * size
    order = ""
    if order_by is not None:
        if order_by not in columns(path):
            raise KansaError(
                tr(f"No column {order_by!r} to sort by.", f"列 {order_by!r} はありません。")
            )
        quoted = '"' + order_by.replace('"', '""') + '"'
        # file order breaks ties, so a page is the same every time it is asked for
        order = f"ORDER BY {quoted} {'DESC' if descending else 'ASC'} NULLS LAST, file_row_number"
    con = duckdb.connect()
    try:
        source = (
            f"read_parquet({_lit(path)}, file_row_number = true)"
            if order
            else (f"read_parquet({_lit(path)})")
        )
        rel = con.sql(
            f"SELECT * EXCLUDE (file_row_number) FROM {source} {order} "
            f"LIMIT {int(size)} OFFSET {int(offset)}"
            if order
            else f"SELECT * FROM {source} LIMIT {int(size)} OFFSET {int(offset)}"
        )
        return list(rel.columns), rel.fetchall()
    finally:
        con.close()


def require_committed(vault_root: Path, rel: str, recorded: str | None, seq: int | None) -> Path:
    """The exception file ``rel`` after checking it against the run's ledger entry ``seq``.

    The hash is taken from the ledger (the chain vouches for it), not from the app database;
    a database row that disagrees with the ledger is refused as well.
    """
    entry = next((e for e in Vault(vault_root).ledger.read() if e.seq == seq), None)
    return require_vouched(vault_root, rel, recorded, entry, seq)


def require_vouched(
    vault_root: Path, rel: str, recorded: str | None, entry: LedgerEntry | None, seq: int | None
) -> Path:
    """:func:`require_committed` with the run's ledger entry already read (``None``: the
    ledger has no entry ``seq``), for a reader checking many files of the same runs."""
    vouched = entry.outputs.get(rel) if entry is not None else None
    if entry is None or vouched != recorded:
        raise EvidenceAltered(
            tr(
                f"vault/{rel}: the app database and ledger entry #{seq} do not record the same "
                "file; refusing to use it, nothing was written.",
                f"vault/{rel}: アプリのデータベースと台帳エントリ #{seq} の記録が一致しません。"
                "使用を拒否しました。何も書き込んでいません。",
            ),
            hint=tr("Run `kansa verify`.", "`kansa verify` を実行してください。"),
        )
    return require_intact(vault_root, rel, vouched, entry.seq)


def verify(path: Path, expected_sha256: str | None) -> bool:
    """The file still has the SHA-256 the run's ledger entry recorded."""
    return expected_sha256 is not None and path.is_file() and sha256_file(path) == expected_sha256


def _export_xlsx(path: Path, dest: Path) -> None:
    from openpyxl import Workbook

    if count_rows(path) > XLSX_MAX_ROWS:
        raise KansaError(
            tr(
                f"Too many rows for one Excel sheet ({count_rows(path):,}).",
                f"Excel の 1 シートに収まりません（{count_rows(path):,} 行）。",
            ),
            hint=tr("Export .csv or .parquet instead.", ".csv か .parquet で出力してください。"),
        )
    reader = pq.ParquetFile(path)
    _refuse_control_characters(reader)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("exceptions")
    sheet.append(reader.schema_arrow.names)
    for batch in reader.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            sheet.append([_text_cell(sheet, v) for v in (_cell(v) for v in row.values())])
    book.save(dest)


def _refuse_control_characters(reader: pq.ParquetFile) -> None:
    """Excel cannot hold most control characters: refuse before writing, never drop them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for batch in reader.iter_batches(batch_size=10_000):
        texts = [
            c
            for c in batch.columns
            if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)
        ]
        for column in texts:
            if any(ILLEGAL_CHARACTERS_RE.search(v) for v in column.to_pylist() if v):
                raise KansaError(
                    tr(
                        "An exception value holds control characters an Excel sheet cannot hold.",
                        "例外行の値に Excel のシートに書けない制御文字があります。",
                    ),
                    hint=tr(
                        "Export .csv or .parquet instead.",
                        ".csv か .parquet で出力してください。",
                    ),
                )


def _text_cell(sheet: Any, value: Any) -> Any:
    """Text stays text: openpyxl would store ``=...`` (data from the audited system) as a formula."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _cell(value: Any) -> Any:
    """Excel keeps 15 significant digits and no time zones: amounts become text, times naive UTC."""
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def prepend_utf8_bom(csv_file: Path) -> None:
    """Excel opens a CSV as UTF-8 only when it starts with a byte-order mark; without one,
    Japanese text shows as mojibake (Microsoft: "Opening CSV UTF-8 files correctly in Excel").
    Written through a temporary file in the same folder, so a failure leaves no half file."""
    tmp = csv_file.with_name(f".{csv_file.name}.bom")
    with csv_file.open("rb") as src, tmp.open("wb") as out:
        out.write(codecs.BOM_UTF8)
        shutil.copyfileobj(src, out, 1 << 20)
    os.replace(tmp, csv_file)


def export(path: Path, dest: Path) -> int:
    """Write the exception rows to ``dest`` (.csv, .parquet or .xlsx); return the row count."""
    suffix = dest.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise KansaError(
            tr(f"Cannot export to {dest.name}.", f"{dest.name} には出力できません。"),
            hint=tr("Use .csv, .parquet or .xlsx.", ".csv / .parquet / .xlsx を指定してください。"),
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        _export_xlsx(path, dest)
        return count_rows(path)
    fmt = "csv, HEADER true" if suffix == ".csv" else "parquet"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        select = _csv_select(con, path) if suffix == ".csv" else "*"
        ((n,),) = con.execute(
            f"COPY (SELECT {select} FROM read_parquet({_lit(path)})) TO {_lit(dest)} (FORMAT {fmt})"
        ).fetchall()
        if suffix == ".csv":
            prepend_utf8_bom(dest)
        return int(n)
    finally:
        con.close()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_select(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """Every column, text columns (and all names) neutralized so that no cell of the CSV opens
    as a formula (:mod:`kansa.csv_cells`); numbers, including negative ones, stay as they are."""
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(path)})").fetchall()
    columns = []
    for name, kind, *_ in described:
        value = neutralize_sql(_ident(name)) if str(kind) == "VARCHAR" else _ident(name)
        columns.append(f"{value} AS {_ident(neutralize(str(name)))}")
    return ", ".join(columns)
