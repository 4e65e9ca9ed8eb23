"""Turn an input file into one relation of text columns plus a record number.

* CSV: the header is read in Python (exact names, duplicates caught); DuckDB streams the rows,
  every column as VARCHAR, strict RFC 4180 quoting, numbered by ``row_number() OVER ()`` (a
  streaming window that the optimizer drops from every query that does not use it, so a valid
  file never pays for numbering).
* JSON Lines: the set of keys is collected in one pass; each key is then read as text (large
  integers keep every digit).
* Parquet: read in place, numbered by ``file_row_number``; columns keep their types until mapped.

Nothing is copied: each later pass (check, key check, write) streams the file again. A
structural problem (malformed CSV, wrong field count, bad JSON, undecodable bytes) surfaces in
the first pass as a DuckDB error, which :meth:`Source.failure` turns into an
:class:`~kansa.ingest.problems.InvalidData` naming the physical line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest import engine, locate
from kansa.ingest.encoding import first_invalid_utf8
from kansa.ingest.engine import quote_ident, quote_literal
from kansa.ingest.limits import Limits
from kansa.ingest.long_lines import LineTooLong, first_long_line
from kansa.ingest.prechecks import (
    check_column_count,
    check_parquet_footer,
    csv_header_bytes,
    line_too_long,
)
from kansa.ingest.problems import InvalidData, Problem, clip_message, file_problem
from kansa.ingest.progress import Reporter

REC = "__kansa_rec"
_NOT_OBJECT = "\x00kansa:not-an-object"


@dataclass(frozen=True)
class Source:
    """A readable relation: ``SELECT __kansa_rec, <columns as in the file> FROM ...``."""

    fmt: str
    display_name: str
    columns: tuple[str, ...]
    relation: str
    text_path: Path | None = None
    delimiter: str | None = None
    header_lines: int = 0
    typed: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    def failure(self, exc: duckdb.Error) -> KansaError:
        """The user-facing problem behind a DuckDB error raised while reading this source:
        :class:`InvalidData` naming a line when the file is at fault, else a plain error
        (out of memory, disk full...) that says nothing about the data."""
        if not _about_the_data(exc):
            return _resource_failure(exc, self.display_name)
        try:
            with _refusing_long_lines(self.display_name, self.text_path):
                if self.fmt == "csv":
                    assert self.text_path is not None and self.delimiter is not None
                    return _csv_failure(
                        exc, self.text_path, self.delimiter, self.display_name, self.limits
                    )
                if self.fmt == "jsonl":
                    assert self.text_path is not None
                    return _jsonl_failure(exc, self.text_path, self.display_name, self.limits)
        except InvalidData as refusal:
            return refusal
        return file_problem(
            self.display_name,
            tr("a readable Parquet file: ", "読み取り可能な Parquet ファイル: ")
            + clip_message(str(exc).split("\n")[0]),
        )

    def lines_for(self, records: Iterable[int]) -> dict[int, int]:
        """Physical line of each 0-based record (empty for Parquet, which has no lines)."""
        if self.text_path is None:
            return {}
        with _refusing_long_lines(self.display_name, self.text_path):
            if self.fmt == "csv":
                assert self.delimiter is not None
                return locate.csv_record_lines(
                    self.text_path, self.delimiter, records, self.limits.max_line_bytes
                )
            return locate.jsonl_record_lines(self.text_path, records, self.limits.max_line_bytes)


@contextmanager
def _refusing_long_lines(display_name: str, path: Path | None) -> Iterator[None]:
    """A line over ``max_line_bytes`` met by a walk of the text is the file's refusal."""
    try:
        yield
    except LineTooLong as exc:
        raise line_too_long(display_name, path or Path(), exc) from None


def _numbered(scan: str, columns: list[str]) -> str:
    """``SELECT __kansa_rec, <columns> FROM scan``; ``columns`` are SQL expressions with names."""
    return f"SELECT row_number() OVER () - 1 AS {REC}, {', '.join(columns)} FROM {scan}"


# -- CSV --------------------------------------------------------------------------------------


def read_csv_header(
    path: Path, delimiter: str, display_name: str, limits: Limits | None = None
) -> tuple[list[str], int]:
    """Column names of the first record and how many physical lines it spans.

    Reads at most ``max_header_bytes`` (a one-line 1 GB file is refused after reading 1 MiB)
    and refuses more than ``max_columns`` names before checking them."""
    limits = limits or Limits()
    raw = csv_header_bytes(path, limits, display_name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        with _refusing_long_lines(display_name, path):
            bad = first_invalid_utf8(path, display_name, limits.max_line_bytes)
        raise bad or file_problem(display_name, "UTF-8 text") from None
    try:
        with locate.field_limit(limits.max_header_bytes):
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            header = next(reader, None)
            lines = reader.line_num
    except csv.Error as exc:
        raise file_problem(
            display_name, tr(f"a CSV header ({exc})", f"CSV ヘッダー（{exc}）"), line=1
        ) from None
    if not header:
        raise file_problem(
            display_name,
            tr(
                "a header line naming the columns (the file is empty)",
                "列名のヘッダー行（ファイルが空です）",
            ),
        )
    check_column_count(len(header), limits, display_name, line=1)
    _check_names(header, display_name, line=1)
    return header, lines


def _check_names(names: list[str], display_name: str, line: int | None) -> None:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        if not name.strip():
            problems.append(
                Problem(
                    display_name,
                    line,
                    None,
                    None,
                    None,
                    tr(f"a name for column {i} in the header", f"ヘッダーの {i} 列目の列名"),
                )
            )
        elif name in seen:
            problems.append(
                Problem(
                    display_name,
                    line,
                    None,
                    name,
                    None,
                    tr("each column name once in the header", "ヘッダーの列名は重複不可"),
                )
            )
        elif name == REC:
            problems.append(
                Problem(
                    display_name,
                    line,
                    None,
                    name,
                    None,
                    tr("a column name not reserved by Kansa", "Kansa の予約名以外の列名"),
                )
            )
        seen.add(name)
    if problems:
        raise InvalidData(display_name, problems)


def csv_source(
    text: Path, display_name: str, delimiter: str, limits: Limits | None = None
) -> Source:
    """A UTF-8 CSV as a relation of text columns; errors name the physical line."""
    limits = limits or Limits()
    names, header_lines = read_csv_header(text, delimiter, display_name, limits)
    columns = (
        "{" + ", ".join(f"{quote_literal(f'c{i}')}: 'VARCHAR'" for i in range(len(names))) + "}"
    )
    scan = (
        f"read_csv({quote_literal(str(text))}, columns = {columns}, "
        f"auto_detect = false, header = true, "
        f"delim = {quote_literal(delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
        f"max_line_size = {limits.max_line_bytes})"
    )
    exprs = [f"c{i} AS {quote_ident(n)}" for i, n in enumerate(names)]
    return Source(
        "csv",
        display_name,
        tuple(names),
        _numbered(scan, exprs),
        text_path=text,
        delimiter=delimiter,
        header_lines=header_lines,
        limits=limits,
    )


def _about_the_data(exc: duckdb.Error) -> bool:
    return not isinstance(
        exc, duckdb.OutOfMemoryException | duckdb.IOException | duckdb.InterruptException
    )


def _resource_failure(exc: duckdb.Error, display_name: str) -> KansaError:
    first = clip_message(str(exc).split("\n")[0])
    return KansaError(
        tr(
            f"Reading {display_name} failed: {first}",
            f"{display_name} の読み込みに失敗しました: {first}",
        ),
        hint=tr(
            "Nothing was ingested. If memory ran out, raise memory_limit in kansa.toml; "
            "if the disk is full, free space next to the vault.",
            "取り込みは行っていません。メモリ不足なら kansa.toml の memory_limit を上げ、"
            "ディスク不足なら保管庫のあるディスクを空けてください。",
        ),
    )


def _long_line(text: Path, display_name: str, limits: Limits) -> InvalidData | None:
    """Refusal for the first line over ``max_line_bytes``: looked for first on the error path,
    so that no Python reader below ever holds such a line."""
    found = first_long_line(text, limits.max_line_bytes)
    return None if found is None else line_too_long(display_name, text, found)


def _csv_failure(
    exc: duckdb.Error, text: Path, delimiter: str, display_name: str, limits: Limits
) -> KansaError:
    long_line = _long_line(text, display_name, limits)
    if long_line is not None:
        return long_line
    message = str(exc)
    if "unicode" in message.lower() or "utf-8" in message.lower():
        bad = first_invalid_utf8(text, display_name, limits.max_line_bytes)
        if bad is not None:
            return bad
    problem = locate.csv_first_structural_error(
        text, delimiter, display_name, limits.max_line_bytes
    )
    if problem is not None:
        return InvalidData(display_name, [problem])
    if _LINE_SIZE.search(message) is not None:
        # a record over several lines (quoted line breaks) longer than DuckDB reads at once
        return InvalidData(
            display_name,
            [
                Problem(
                    display_name,
                    None,
                    None,
                    None,
                    None,
                    tr(
                        f"records of at most {limits.max_line_bytes:,} bytes; a longer one "
                        "cannot be read",
                        f"1 レコード {limits.max_line_bytes:,} バイト以内（それより長いレコードは"
                        "読み込めません）",
                    ),
                )
            ],
        )
    # DuckDB refused a record the Python reader accepts: pass DuckDB's own words on, but not
    # the record it quotes (customer data, of any length)
    first = " ".join(
        line for line in message.split("\n")[:2] if not line.startswith("Original Line")
    )
    return file_problem(
        display_name, tr("readable CSV: ", "読み取り可能な CSV: ") + clip_message(first)
    )


_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded")


# -- JSON Lines -------------------------------------------------------------------------------


def jsonl_source(
    con: duckdb.DuckDBPyConnection,
    text: Path,
    display_name: str,
    reporter: Reporter,
    limits: Limits | None = None,
) -> Source:
    """JSON Lines as a relation of text columns, one per key seen anywhere in the file."""
    limits = limits or Limits()
    objects = f"read_json_objects({quote_literal(str(text))}, format = 'newline_delimited')"
    reporter.stage(tr("Scanning JSON keys", "JSON のキーを走査中"))
    try:
        keys = set(_json_keys(con, objects, limits.max_columns + 2, reporter))
    except duckdb.Error as exc:
        if not _about_the_data(exc):
            raise _resource_failure(exc, display_name) from None
        raise _jsonl_failure(exc, text, display_name, limits) from None
    if _NOT_OBJECT in keys:
        with _refusing_long_lines(display_name, text):
            bad = locate.jsonl_first_bad_line(text, display_name, limits.max_line_bytes)
        raise (
            InvalidData(display_name, [bad]) if bad else file_problem(display_name, "JSON objects")
        )
    if _KEY_TWICE in keys:
        with _refusing_long_lines(display_name, text):
            twice = locate.jsonl_first_key_twice(text, display_name, limits.max_line_bytes)
        raise InvalidData(display_name, [twice]) if twice else file_problem(display_name, "JSON")
    check_column_count(len(keys), limits, display_name, line=None, exact=False)
    names = sorted(keys)
    _check_names(names, display_name, line=None)
    exprs = [
        f"json_extract_string(json, {quote_literal(_json_path(k))}) AS {quote_ident(k)}"
        for k in names
    ] or ["NULL AS __kansa_empty"]
    return Source(
        "jsonl",
        display_name,
        tuple(names),
        _numbered(objects, exprs),
        text_path=text,
        limits=limits,
    )


_KEY_TWICE = "\x00kansa:key-twice"


def _json_keys(
    con: duckdb.DuckDBPyConnection, objects: str, most: int, reporter: Reporter
) -> list[str]:
    """Every key named in the file (at most ``most`` of them, so that a file with millions of
    keys costs no memory here), plus a marker for a line that is not an object and one for an
    object naming a key twice (ambiguous: tools differ on which value counts).

    The distinct key lists come first (one per shape of object, usually a handful), so the
    per-object work is one hash of the key list."""
    sql = (
        f"WITH shapes AS (SELECT DISTINCT CASE WHEN json_type(json) = 'OBJECT' "
        f"THEN json_keys(json) ELSE [{quote_literal(_NOT_OBJECT)}] END AS ks FROM {objects}), "
        f"marked AS (SELECT CASE WHEN len(list_distinct(ks)) = len(ks) THEN ks "
        f"ELSE list_append(ks, {quote_literal(_KEY_TWICE)}) END AS ks FROM shapes) "
        f"SELECT DISTINCT unnest(ks) FROM marked LIMIT {most}"
    )
    return [str(r[0]) for r in engine.run(con, sql, reporter)]


def _json_path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _jsonl_failure(exc: duckdb.Error, text: Path, display_name: str, limits: Limits) -> KansaError:
    long_line = _long_line(text, display_name, limits)
    if long_line is not None:
        return long_line
    bad = first_invalid_utf8(text, display_name, limits.max_line_bytes)
    if bad is not None:
        return bad
    problem = locate.jsonl_first_bad_line(text, display_name, limits.max_line_bytes)
    if problem is not None:
        return InvalidData(display_name, [problem])
    return file_problem(
        display_name,
        tr("readable JSON Lines: ", "読み取り可能な JSON Lines: ")
        + clip_message(str(exc).split("\n")[0]),
    )


# -- Parquet ----------------------------------------------------------------------------------


def parquet_source(
    con: duckdb.DuckDBPyConnection, path: Path, display_name: str, limits: Limits | None = None
) -> Source:
    """Read a Parquet file in place; column types are kept until the mapping step.

    The footer is checked first (its size, the column count and the nesting depth), from the
    footer alone, so that DuckDB never binds a schema of 200,000 columns or 400 levels."""
    limits = limits or Limits()
    check_parquet_footer(path, limits, display_name)
    scan = f"read_parquet({quote_literal(str(path))}, file_row_number = true)"
    try:
        described = con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(path))})"
        ).fetchall()
    except duckdb.Error as exc:
        raise file_problem(
            display_name,
            tr("a Parquet file: ", "Parquet ファイル: ") + clip_message(str(exc).split("\n")[0]),
        ) from None
    names = [str(r[0]) for r in described]
    if "file_row_number" in names:
        raise InvalidData(
            display_name,
            [
                Problem(
                    display_name,
                    None,
                    None,
                    "file_row_number",
                    None,
                    tr("a column name not reserved by DuckDB", "DuckDB の予約名以外の列名"),
                )
            ],
        )
    _check_names(names, display_name, line=None)
    cols = ", ".join(quote_ident(n) for n in names)
    relation = f"SELECT file_row_number AS {REC}, {cols} FROM {scan}"
    return Source("parquet", display_name, tuple(names), relation, typed=True, limits=limits)
