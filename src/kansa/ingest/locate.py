"""From a data record's position to the physical line a person sees in an editor.

DuckDB numbers records, not lines: a quoted field holding a newline makes the two differ, and
DuckDB skips blank lines between records. On the error path only (a valid file never pays for
this), the UTF-8 text is walked with Python's ``csv`` module, whose ``line_num`` counts physical
lines, skipping blank lines exactly as DuckDB does. JSON Lines: one record per non-blank line.

Every walk reads at most ``max_line`` (``[ingest] max_line_bytes``) per line and per field and
raises :class:`~kansa.ingest.long_lines.LineTooLong` past it: the error path of a hostile file
must not hold a 1 GB line in memory.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kansa.i18n import tr
from kansa.ingest.long_lines import bounded_lines
from kansa.ingest.problems import Problem

# other readers of bounded samples (kansa map suggest) rely on this process-wide default, as
# before; every walk below sets its own bound with field_limit
csv.field_size_limit(sys.maxsize)


@contextmanager
def field_limit(limit: int) -> Iterator[None]:
    """``csv`` refuses fields longer than ``limit`` characters meanwhile (a process-wide
    setting, restored after)."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _csv_records(path: Path, delimiter: str, max_line: int) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every data record; raises ``csv.Error`` with
    ``.start_line`` set when a record cannot be parsed (a field longer than ``max_line``
    included), :class:`LineTooLong` for a longer physical line."""
    with path.open(encoding="utf-8-sig", newline="") as f, field_limit(max_line):
        reader = csv.reader(
            bounded_lines(f, max_line),
            delimiter=delimiter,
            quotechar='"',
            doublequote=True,
            strict=True,
        )
        done = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                exc.start_line = done + 1  # type: ignore[attr-defined]
                raise
            start, done = done + 1, reader.line_num
            if row:
                yield start, row


def csv_record_lines(
    path: Path, delimiter: str, records: Iterable[int], max_line: int
) -> dict[int, int]:
    """Physical line of each 0-based data record index (the header is not a data record)."""
    wanted = sorted(set(records))
    out: dict[int, int] = {}
    if not wanted:
        return out
    i = 0
    for rec, (line, _row) in enumerate(_skip_header(_csv_records(path, delimiter, max_line))):
        if rec == wanted[i]:
            out[rec] = line
            i += 1
            if i == len(wanted):
                break
    return out


def _skip_header(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    next(records, None)
    return records


_CSV_ERRORS = {
    "unexpected end of data": (
        "a closing quote: the quoted field that starts here is never closed (truncated file?)",
        "閉じ引用符: ここから始まる引用符付きの値が閉じられていません（ファイルの途中切れ？）",
    ),
}


def _explain_csv_error(message: str, delimiter: str, max_line: int) -> str:
    if message.startswith("field larger than field limit"):
        return tr(
            f"values of at most {max_line:,} bytes (ingest.max_line_bytes); a quoted value "
            "starting here is longer",
            f"値は {max_line:,} バイト以内（ingest.max_line_bytes）ですが、ここから始まる"
            "引用符付きの値はそれより長くなっています",
        )
    if message in _CSV_ERRORS:
        en, ja = _CSV_ERRORS[message]
        return tr(en, ja)
    if message.endswith("expected after '\"'"):
        return tr(
            f"the delimiter {delimiter!r} or a line break right after a closing quote",
            f"閉じ引用符の直後に区切り文字 {delimiter!r} または改行",
        )
    return tr(f"well-formed CSV ({message})", f"正しい CSV（{message}）")


def csv_first_structural_error(
    path: Path, delimiter: str, display_name: str, max_line: int
) -> Problem | None:
    """The first record that is not well-formed CSV or has a different number of fields than
    the header, with its physical line; ``None`` if the Python reader finds none."""
    width: int | None = None
    rec = 0
    try:
        for line, row in _csv_records(path, delimiter, max_line):
            if width is None:
                width = len(row)
                continue
            rec += 1
            if len(row) != width:
                return Problem(
                    display_name,
                    line,
                    rec,
                    None,
                    None,
                    tr(
                        f"{width} fields as in the header, found {len(row)}",
                        f"ヘッダーと同じ {width} 個の値ですが、{len(row)} 個あります",
                    ),
                )
    except csv.Error as exc:
        start = getattr(exc, "start_line", None)
        return Problem(
            display_name,
            start,
            None,
            None,
            None,
            _explain_csv_error(str(exc), delimiter, max_line),
        )
    return None


def _jsonl_records(path: Path, max_line: int) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as f:
        for no, raw in enumerate(bounded_lines(f, max_line), start=1):
            if raw.strip():
                yield no, raw


def jsonl_record_lines(path: Path, records: Iterable[int], max_line: int) -> dict[int, int]:
    wanted = set(records)
    out: dict[int, int] = {}
    if not wanted:
        return out
    last = max(wanted)
    for rec, (line, _raw) in enumerate(_jsonl_records(path, max_line)):
        if rec in wanted:
            out[rec] = line
        if rec >= last:
            break
    return out


def jsonl_first_bad_line(path: Path, display_name: str, max_line: int) -> Problem | None:
    """The first non-blank line that is not one JSON object."""
    for line, raw in _jsonl_records(path, max_line):
        try:
            value = json.loads(raw)
        except RecursionError:
            return Problem(
                display_name,
                line,
                None,
                None,
                None,
                tr(
                    "one JSON object per line, nested less deeply than this one",
                    "1 行に 1 つの JSON オブジェクト（この行は入れ子が深すぎます）",
                ),
            )
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Problem(
                display_name,
                line,
                None,
                None,
                None,
                tr(
                    f"one JSON object per line ({exc})", f"1 行に 1 つの JSON オブジェクト（{exc}）"
                ),
            )
        if not isinstance(value, dict):
            return Problem(
                display_name,
                line,
                None,
                None,
                None,
                tr(
                    f"one JSON object per line, found {type(value).__name__}",
                    f"1 行に 1 つの JSON オブジェクトですが、{type(value).__name__} です",
                ),
            )
    return None


def jsonl_first_key_twice(path: Path, display_name: str, max_line: int) -> Problem | None:
    """The first line whose object names one of its own keys twice, and that key."""
    for line, raw in _jsonl_records(path, max_line):
        try:
            value = json.loads(raw, object_pairs_hook=_Pairs)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            continue
        if isinstance(value, _Pairs) and value.twice is not None:
            return Problem(
                display_name,
                line,
                None,
                value.twice,
                None,
                tr(
                    "each key once per object (which of the two values counts is ambiguous)",
                    "オブジェクト内でキーは 1 回のみ（どちらの値が有効か曖昧です）",
                ),
            )
    return None


class _Pairs(dict[str, object]):
    """A JSON object that remembers the first key it was given twice."""

    def __init__(self, items: list[tuple[str, object]]) -> None:
        super().__init__(items)
        self.twice: str | None = None
        seen: set[str] = set()
        for k, _ in items:  # a set, not list.count: an object may hold 100,000 keys
            if k in seen:
                self.twice = k
                break
            seen.add(k)
