"""Edit evidence in a vault the way someone with write access to the folder would.

The file stays a valid Parquet file with the same schema, so a consumer that does not re-hash
reads the edited value without noticing: only the bytes differ from what the ledger vouches for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def edit_value(path: Path, column: str, value: Any, row: int = 0) -> None:
    """Set ``column`` of ``row`` to ``value`` in the Parquet file at ``path``, in place."""
    os.chmod(path, 0o644)  # the vault stores evidence read-only; an editor changes that first
    table = pq.read_table(path)
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    field = table.schema.field(index)
    table = table.set_column(index, field, pa.array(values, field.type))
    pq.write_table(table, path)


def flip_byte(path: Path, at: int | None = None) -> None:
    """Change one byte of the file (the middle one unless ``at`` is given), in place."""
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if at is None else at
    data[i] ^= 0x01
    path.write_bytes(bytes(data))
