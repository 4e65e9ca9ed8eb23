"""Bounded reads before DuckDB touches a file: the CSV header, the Parquet footer, long lines.

Each check reads at most its limit (see :mod:`kansa.ingest.limits`) and refuses the file with
the limit named, so that a one-line 1 GB CSV, ten million columns, a Parquet footer of 200,000
columns or 400 levels of nesting are refused in well under a second, before DuckDB (or Python's
``csv``) tries to hold them in memory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from kansa.i18n import tr
from kansa.ingest.formats import UTF8_BOM
from kansa.ingest.limits import Limits, refuse
from kansa.ingest.long_lines import LineTooLong, line_number_at
from kansa.ingest.problems import InvalidData

if TYPE_CHECKING:
    import pyarrow as pa

# the first CSV record: runs of plain bytes and whole quoted fields ("" inside one toggles out
# and back in), up to the first line break outside quotes; possessive, so linear time
_FIRST_RECORD = re.compile(rb'(?:[^"\r\n]++|"[^"]*+")*+')


def csv_header_bytes(path: Path, limits: Limits, display_name: str) -> bytes:
    """The bytes of the header record (no BOM, with its line break if it has one), read with
    at most ``max_header_bytes`` + 1 bytes of I/O."""
    limit = limits.max_header_bytes
    with path.open("rb") as f:
        buf = f.read(len(UTF8_BOM) + limit + 1)
    if buf.startswith(UTF8_BOM):
        buf = buf[len(UTF8_BOM) :]
    end = _FIRST_RECORD.match(buf).end()  # type: ignore[union-attr]  # matches the empty string
    if end <= limit and end < len(buf) and buf[end] in b"\r\n":
        return buf[: end + (2 if buf[end : end + 2] == b"\r\n" else 1)]
    if len(buf) <= limit:
        return buf  # the whole file is the header (or an unclosed quote the parser names)
    raise refuse(
        display_name,
        "max_header_bytes",
        tr(
            f"a header line of at most {limit:,} bytes; this one is longer "
            "(or a quote in it is never closed)",
            f"{limit:,} バイト以内のヘッダー行ですが、それより長くなっています"
            "（または引用符が閉じられていません）",
        ),
        line=1,
    )


def check_column_count(
    count: int, limits: Limits, display_name: str, line: int | None, *, exact: bool = True
) -> None:
    """Refuse more than ``max_columns`` columns (``exact``: ``count`` is the file's own count,
    not one cut short by a bounded scan)."""
    if count <= limits.max_columns:
        return
    has = tr(f"the file has {count:,}", f"{count:,} 列あります")
    if not exact:
        has = tr("the file has more", "それより多くあります")
    raise refuse(
        display_name,
        "max_columns",
        tr(
            f"at most {limits.max_columns:,} columns; ",
            f"列数は {limits.max_columns:,} 以内ですが、",
        )
        + has,
        line=line,
    )


def line_too_long(display_name: str, path: Path, exc: LineTooLong) -> InvalidData:
    """Refuse a file holding a line longer than ``max_line_bytes`` (found by a LineGuard)."""
    return refuse(
        display_name,
        "max_line_bytes",
        tr(
            f"lines of at most {exc.limit:,} bytes; this one is longer (its content is not shown)",
            f"1 行 {exc.limit:,} バイト以内ですが、この行はそれより長くなっています（内容は表示しません）",
        ),
        line=exc.line if exc.line is not None else line_number_at(path, exc.offset or 0),
    )


# -- Parquet ----------------------------------------------------------------------------------

_MAGIC = b"PAR1"


def check_parquet_footer(path: Path, limits: Limits, display_name: str) -> None:
    """Footer size, column count and nesting depth of a Parquet file, from its footer alone.

    A file that is not Parquet at all is left to DuckDB, whose message says so."""
    import pyarrow.parquet as pq  # here: a CSV ingest does not pay for importing pyarrow

    footer = _footer_length(path)
    if footer is None:
        return
    if footer > limits.max_footer_bytes:
        raise refuse(
            display_name,
            "max_footer_bytes",
            tr(
                f"a Parquet footer (the schema and row-group index) of at most "
                f"{limits.max_footer_bytes:,} bytes; this one has {footer:,} "
                "(far too many columns or row groups)",
                f"{limits.max_footer_bytes:,} バイト以内の Parquet フッター（スキーマと行グループの索引）"
                f"ですが、{footer:,} バイトあります（列または行グループが多すぎます）",
            ),
        )
    try:
        # pyarrow counts a list as two schema levels and the root as one: 2N + 2 lets every
        # column of nesting N be read; anything deeper is refused by pyarrow itself
        with pq.ParquetFile(path, schema_depth_limit=2 * limits.max_nesting + 2) as parquet:
            meta = parquet.metadata
    except OSError as exc:
        if "deeply nested" in str(exc):
            raise _too_deep(display_name, limits, None) from None
        return  # unreadable: DuckDB names the problem
    check_column_count(meta.num_columns, limits, display_name, None)
    for field in meta.schema.to_arrow_schema():
        depth = nesting_depth(field.type)
        if depth > limits.max_nesting:
            raise _too_deep(display_name, limits, field.name)


def _footer_length(path: Path) -> int | None:
    with path.open("rb") as f:
        size = f.seek(0, 2)
        if size < 12:
            return None
        f.seek(size - 8)
        tail = f.read(8)
    if tail[4:] != _MAGIC:
        return None
    return int.from_bytes(tail[:4], "little")


def nesting_depth(t: pa.DataType) -> int:
    """How many struct, list and map levels enclose the deepest value of type ``t`` (a plain
    column: 0). Walked with a stack, not recursion."""
    import pyarrow as pa

    deepest = 0
    stack = [(t, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if pa.types.is_map(node):
            stack += [(node.key_type, depth + 1), (node.item_type, depth + 1)]
        elif pa.types.is_struct(node):
            stack.extend((node.field(i).type, depth + 1) for i in range(node.num_fields))
        elif (
            pa.types.is_list(node)
            or pa.types.is_large_list(node)
            or pa.types.is_fixed_size_list(node)
            or pa.types.is_list_view(node)
            or pa.types.is_large_list_view(node)
        ):
            stack.append((node.value_type, depth + 1))
    return deepest


def _too_deep(display_name: str, limits: Limits, column: str | None) -> InvalidData:
    return refuse(
        display_name,
        "max_nesting",
        tr(
            f"columns nested at most {limits.max_nesting} levels (structs, lists, maps); "
            "this file's are nested deeper",
            f"列の入れ子は {limits.max_nesting} 段まで（struct・list・map）ですが、それより深くなっています",
        ),
        column=column,
    )
