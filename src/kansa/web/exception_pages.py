"""Pages of a run's exception rows for the explorer, fast on millions of rows.

:func:`kansa.engine.exceptions.read_page` answers one page with one DuckDB scan of the file:
fine for the CLI, but a sorted page sorts every row again (0.7 s for 1,000,000 rows) and a
far page in file order scans up to it, on every click and for every user. An exceptions file
is evidence: once committed it never changes (the caller checks its SHA-256 against the run
before asking for a page, and again whenever the file's size or time changes). So each server
process keeps, for the few files being explored:

- the file's rows as an Arrow table, read once from the vault's Parquet (nothing is copied to
  the app database or to disk), and
- per sorted column and direction, the order of the rows: DuckDB's own
  ``ORDER BY column [DESC] NULLS LAST, file_row_number`` over the file, computed once, so that
  a page in that order is exactly the page :func:`read_page` would give.

A page is then a slice of that order and a ``take`` of the table, whatever its number. The
rows go back to Python through DuckDB, so their values have the types ``read_page`` gives.
Files over the process's budget (``WebSettings.rows_cache_mb``) are paged by ``read_page``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kansa.engine import exceptions as rows_io
from kansa.errors import KansaError
from kansa.i18n import tr

Rows = tuple[list[str], list[tuple[Any, ...]]]


@dataclass
class _Loaded:
    table: pa.Table
    orders: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def nbytes(self) -> int:
        return int(self.table.nbytes) + sum(int(o.nbytes) for o in self.orders.values())


# opening a database costs ~13 ms of CPU, a cursor of it ~0.5 ms: one per process, capped (a
# sort of a million rows needs ~100 MB; DuckDB would otherwise allow 80% of the machine's RAM)
MEMORY_LIMIT = "1GB"
_DUCKDB = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})


def _order_of(path: Path, column: str, descending: bool) -> np.ndarray:
    """Row numbers of the file in the order ``read_page`` sorts them (ties in file order)."""
    quoted = '"' + column.replace('"', '""') + '"'
    lit = "'" + str(path).replace("'", "''") + "'"
    con = _DUCKDB.cursor()
    try:
        rel = con.sql(
            f"SELECT file_row_number FROM read_parquet({lit}, file_row_number = true) "
            f"ORDER BY {quoted} {'DESC' if descending else 'ASC'} NULLS LAST, file_row_number"
        )
        got = rel.fetchnumpy()["file_row_number"]
        return np.asarray(got, dtype=np.int64)
    finally:
        con.close()


def _as_python(table: pa.Table) -> list[tuple[Any, ...]]:
    """The rows with the Python types DuckDB gives (as :func:`read_page` returns them)."""
    cursor = _DUCKDB.cursor()  # one per call: a DuckDB connection is not shared by threads
    try:
        return cursor.from_arrow(table).fetchall()
    finally:
        cursor.close()


class ExceptionPages:
    """Per-process cache of verified exceptions files, least recently used dropped first."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self._files: OrderedDict[tuple[Any, ...], _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def _loaded(self, key: tuple[Any, ...], path: Path) -> _Loaded | None:
        """The file's table, read once (None when it would not fit the budget)."""
        with self._lock:
            found = self._files.get(key)
            if found is not None:
                self._files.move_to_end(key)
                return found
        meta = pq.ParquetFile(path).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > self.budget:
            return None
        loaded = _Loaded(pq.read_table(path).combine_chunks())  # one chunk: take() is cheap
        with self._lock:
            loaded = self._files.setdefault(key, loaded)
            while sum(f.nbytes() for f in self._files.values()) > self.budget:
                self._files.popitem(last=False)
        return loaded

    def count(self, key: tuple[Any, ...], path: Path) -> int:
        loaded = self._loaded(key, path)
        return loaded.table.num_rows if loaded else rows_io.count_rows(path)

    def page(
        self, key: tuple[Any, ...], path: Path, page: int, size: int, *,
        order_by: str | None = None, descending: bool = False,
    ) -> Rows:  # fmt: skip
        """Column names and the rows of 1-based ``page``, as :func:`read_page` gives them."""
        loaded = self._loaded(key, path)
        if loaded is None:
            return rows_io.read_page(path, page, size, order_by=order_by, descending=descending)
        table = loaded.table
        start = max(page - 1, 0) * size
        if order_by is None:
            return list(table.column_names), _as_python(table.slice(start, size))
        if order_by not in table.column_names:
            raise KansaError(
                tr(f"No column {order_by!r} to sort by.", f"列 {order_by!r} はありません。")
            )
        with loaded.lock:  # one sort per column and direction, whoever asks first
            order = loaded.orders.get((order_by, descending))
            if order is None:
                order = loaded.orders[(order_by, descending)] = _order_of(
                    path, order_by, descending
                )
        rows = table.take(pa.array(order[start : start + size]))
        return list(table.column_names), _as_python(rows)
