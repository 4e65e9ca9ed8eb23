"""How big an input may be before Kansa refuses it: header, columns, lines, values, nesting.

A hostile or broken export must not exhaust the machine before it is refused: a one-line
1 GB CSV, ten million columns, a Parquet footer of 200,000 columns or 400 levels of nesting.
Each limit is checked by a bounded read *before* DuckDB parses the file where that is possible
(the CSV header, the Parquet footer), or in the same streaming pass that hashes the file (line
length), and the refusal names the limit and how to raise it. Defaults are far above any real
export; ``[ingest]`` in ``kansa.toml`` changes them::

    [ingest]
    max_header_bytes = 1048576    # the CSV header record
    max_footer_bytes = 16777216   # the Parquet footer (schema and row-group index)
    max_columns      = 10000
    max_line_bytes   = 2097152    # one CSV/JSON Lines line (DuckDB's own default)
    max_field_bytes  = 1048576    # one value, any format
    max_nesting      = 32         # struct/list/map levels of a Parquet column
    max_unpacked_bytes = 68719476736  # what a .gz/.zip/.xlsx may unpack to (64 GiB)

The last one bounds a compression bomb: deflate reaches about 1,000:1, so a 64 MB ``.csv.gz``
can claim 64 GB of disk in the staging folder before any check sees a row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from kansa.errors import ConfigError
from kansa.i18n import tr
from kansa.ingest.problems import InvalidData, Problem

MiB = 1 << 20

# DuckDB's CSV reader reads 32 MiB buffers and silently drops a last line (no final newline)
# longer than one buffer (measured with DuckDB 2.0.1): a line limit must stay well below it
MAX_LINE_CEILING = 16 * MiB
# pyarrow's Parquet reader refuses schemas deeper than this, whatever it is told
MAX_NESTING_CEILING = 100


@dataclass(frozen=True)
class Limits:
    """The sizes an input may reach (see the module docstring for what each one bounds)."""

    max_header_bytes: int = 1 * MiB
    max_footer_bytes: int = 16 * MiB
    max_columns: int = 10_000
    max_line_bytes: int = 2 * MiB
    max_field_bytes: int = 1 * MiB
    max_nesting: int = 32
    max_unpacked_bytes: int = 64 * 1024 * MiB


_CEILINGS = {"max_line_bytes": MAX_LINE_CEILING, "max_nesting": MAX_NESTING_CEILING}


def limits_from(raw_config: dict[str, Any]) -> Limits:
    """The ``[ingest]`` table of ``kansa.toml`` (already parsed) as :class:`Limits`."""
    table = raw_config.get("ingest", {})
    if not isinstance(table, dict):
        raise ConfigError(
            tr("kansa.toml: [ingest] must be a table", "kansa.toml: [ingest] はテーブルです")
        )
    known = sorted(f.name for f in fields(Limits))
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            tr(
                f"kansa.toml: [ingest] has unknown keys {unknown}; expected some of {known}",
                f"kansa.toml: [ingest] に不明なキー {unknown} があります（使えるキー: {known}）",
            )
        )
    for key, value in table.items():
        ceiling = _CEILINGS.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                tr(
                    f"kansa.toml: ingest.{key} must be a positive integer",
                    f"kansa.toml: ingest.{key} は正の整数です",
                )
            )
        if ceiling is not None and value > ceiling:
            raise ConfigError(
                tr(
                    f"kansa.toml: ingest.{key} can be at most {ceiling:,}",
                    f"kansa.toml: ingest.{key} は {ceiling:,} 以下です",
                )
            )
    return Limits(**table)


def how_to_raise(key: str) -> str:
    return tr(
        f"raise ingest.{key} in kansa.toml if the file is genuine",
        f"正当なファイルなら kansa.toml の ingest.{key} を引き上げてください",
    )


def refuse(
    file: str,
    key: str,
    expected: str,
    *,
    line: int | None = None,
    row: int | None = None,
    column: str | None = None,
) -> InvalidData:
    """The file exceeds the limit ``key``: one problem naming the limit and how to raise it."""
    return InvalidData(
        file,
        [Problem(file, line, row, column, None, expected + tr("; ", "。") + how_to_raise(key))],
    )
