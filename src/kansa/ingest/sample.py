"""The header and first rows of an input, as text, for the mapping assistant.

Reads only the beginning of the file (``.csv``, ``.tsv``, ``.csv.gz``, a CSV inside a ``.zip``,
an ``.xlsx`` sheet) and detects what a user would otherwise have to know: the encoding (UTF-8,
with or without BOM, else CP932), the delimiter, the sheet or zip member. Nothing is written.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest.formats import UTF8_BOM

SAMPLE_ROWS = 2000
SAMPLE_BYTES = 4 << 20


@dataclass(frozen=True)
class Sample:
    """What the assistant saw: header, rows (as text), and how the file had to be read."""

    header: list[str]
    rows: list[list[str]]
    encoding: str | None = None  # None: UTF-8 (with or without BOM)
    delimiter: str = ","
    sheet: str | None = None
    member: str | None = None
    alternatives: dict[str, list[str]] = field(default_factory=dict)

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [r[i] if i < len(r) else "" for r in self.rows]


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text and the encoding to declare (None for UTF-8). A cut multi-byte character at the
    end of the sample is not an encoding error."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    for encoding, declared in (("utf-8", None), ("cp932", "cp932")):
        try:
            return data.decode(encoding), declared
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3:
                return data[: exc.start].decode(encoding), declared
    raise KansaError(
        tr(
            "The file is neither UTF-8 nor CP932 (Shift_JIS) text.",
            "ファイルは UTF-8 でも CP932（Shift_JIS）でもありません。",
        )
    )


def _csv_sample(data: bytes, name: str) -> Sample:
    text, encoding = _decode(data)
    complete = text if len(data) < SAMPLE_BYTES else text[: text.rfind("\n") + 1]
    delimiter = "\t" if name.lower().endswith((".tsv", ".tsv.gz")) else ","
    first = complete.split("\n", 1)[0]
    if delimiter == "," and first.count("\t") > first.count(","):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(complete, newline=""), delimiter=delimiter)
    header = next(reader, [])
    rows = list(islice(reader, SAMPLE_ROWS))
    return Sample(header, rows, encoding, delimiter)


def _head(stream: IO[bytes] | gzip.GzipFile) -> bytes:
    return stream.read(SAMPLE_BYTES)


def read_sample(
    path: Path, *, sheet: str | None = None, member: str | None = None
) -> Iterator[Sample]:
    """One sample per candidate table: each sheet of a workbook, each CSV of a zip (or only the
    one named), else the file itself."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from _sheets(path, sheet)
    elif suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
            for name in names:
                base = PurePosixPath(name).name
                if member is not None and member not in (name, base):
                    continue
                if not base.lower().endswith((".csv", ".tsv", ".txt")):
                    continue
                with zf.open(name) as f:
                    s = _csv_sample(_head(f), base)
                yield Sample(s.header, s.rows, s.encoding, s.delimiter, member=name)
    elif suffix in (".parquet", ".pq", ".jsonl", ".ndjson"):
        yield _typed_sample(path, "parquet" if suffix in (".parquet", ".pq") else "jsonl")
    elif suffix == ".gz":
        with gzip.open(path, "rb") as f:
            yield _csv_sample(_head(f), path.stem)
    else:
        with path.open("rb") as f:
            yield _csv_sample(_head(f), path.name)


def _sheets(path: Path, only: str | None) -> Iterator[Sample]:
    import openpyxl

    from kansa.ingest.xlsx import cell_text

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for name in wb.sheetnames:
            if only is not None and name != only:
                continue
            rows: list[list[str]] = []
            for row in islice(wb[name].iter_rows(), SAMPLE_ROWS + 1):
                values = [cell_text(c.value, getattr(c, "number_format", "") or "") for c in row]
                while values and values[-1] == "":
                    values.pop()
                if values:
                    rows.append(values)
            if rows:
                yield Sample(rows[0], rows[1:], sheet=name)
    finally:
        wb.close()


def _typed_sample(path: Path, fmt: str) -> Sample:
    """Parquet or JSON Lines: the first rows, every value as text (as the ingest reads them)."""
    import duckdb

    reader = "read_parquet" if fmt == "parquet" else "read_json_auto"
    literal = "'" + str(path).replace("'", "''") + "'"
    con = duckdb.connect()
    try:
        rel = con.execute(f"SELECT * FROM {reader}({literal}) LIMIT {SAMPLE_ROWS}")
        header = [d[0] for d in rel.description]
        rows = [["" if v is None else str(v) for v in r] for r in rel.fetchall()]
    except duckdb.Error as exc:
        raise KansaError(
            tr(f"{path.name}: cannot read it ({exc})", f"{path.name}: 読み取れません（{exc}）")
        ) from None
    finally:
        con.close()
    return Sample(header, rows)
