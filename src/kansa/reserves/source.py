"""Read one day of ``customer_balances`` into the tree's input: one row per customer.

DuckDB pivots the rows (customer, asset, balance) into one balance vector per customer and
hashes the customer ids (SHA-256 of the UTF-8 bytes, the same function as the format's
``H(utf8(customer_id))``), in parallel and spilling to disk if memory runs short. Rows the tree
cannot represent are refused before anything is built: negative balances (naming the customers,
to the operator only), repeated (customer, asset) rows, missing values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.reserves import u128
from kansa.reserves.encoding import AMOUNT_BYTES, HASH_BYTES
from kansa.reserves.tree import TreeInput

BATCH_ROWS = 1 << 20
_SHOW = 5


@dataclass(frozen=True)
class CustomerRows:
    """The tree input plus the customer ids, row for row."""

    tree_input: TreeInput
    customer_ids: pa.Array
    as_of: dt.date


def connect(memory_limit: str = "2GB", temp_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = '{temp_dir}'")
    return con


Files = Path | Sequence[Path]


def _files(parquet: Files) -> str | list[str]:
    """The path(s) for ``read_parquet($1)``: a dated dataset's view is one file per day."""
    return str(parquet) if isinstance(parquet, Path) else [str(p) for p in parquet]


def latest_as_of(con: duckdb.DuckDBPyConnection, parquet: Files) -> dt.date:
    rows = con.sql("SELECT max(as_of) FROM read_parquet($1)", params=[_files(parquet)]).fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] is None:
        raise KansaError(tr("customer_balances is empty.", "customer_balances が空です。"))
    day: dt.date = row[0]
    return day


def _assets(con: duckdb.DuckDBPyConnection, parquet: Files, as_of: dt.date) -> tuple[str, ...]:
    rows = con.sql(
        "SELECT DISTINCT asset FROM read_parquet($1) WHERE as_of = $2",
        params=[_files(parquet), as_of],
    ).fetchall()
    if not rows:
        raise KansaError(
            tr(
                f"customer_balances has no rows for {as_of}.",
                f"customer_balances に {as_of} の行がありません。",
            )
        )
    if any(r[0] is None for r in rows):
        raise KansaError(tr("an asset is missing.", "資産が空の行があります。"))
    # sorted by Unicode code point (= UTF-8 byte order), as the format requires
    return tuple(sorted(r[0] for r in rows))


def _refuse_bad_rows(con: duckdb.DuckDBPyConnection, parquet: Files, as_of: dt.date) -> None:
    sql = """
        SELECT customer_id, asset, balance::VARCHAR, count(*) OVER () AS total
        FROM read_parquet($1)
        WHERE as_of = $2 AND (balance < 0 OR balance IS NULL OR customer_id IS NULL)
        ORDER BY customer_id, asset LIMIT $3
    """
    bad = con.sql(sql, params=[_files(parquet), as_of, _SHOW]).fetchall()
    if not bad:
        return
    names = "; ".join(f"{c} {a} {b}" for c, a, b, _ in bad)
    raise KansaError(
        tr(
            f"{bad[0][3]} customer balance(s) on {as_of} are negative or missing "
            f"(a proof cannot carry them): {names}",
            f"{as_of} の顧客残高のうち {bad[0][3]} 件が負または欠損です"
            f"（証明に含められません）: {names}",
        ),
        hint=tr(
            "Correct the customer ledger (control CUS-004) and ingest it again.",
            "顧客勘定元帳を訂正し（統制 CUS-004）、再度取り込んでください。",
        ),
    )


def _pivot_sql(width: int) -> str:
    """One row per customer: id, H(id), whether no asset repeats, one balance per asset.

    Assets are matched by their index in the sorted list ($3) rather than by name in every
    aggregate, and repeats are found with a bit mask of the indices seen: this keeps the
    pivot of 10 million customers at a few seconds (docs/perf/reserves.md).
    """
    cols = ",\n".join(
        f"coalesce(any_value(balance) FILTER (WHERE k = {i}), 0)::DECIMAL(38,0) AS b{i}"
        for i in range(width)
    )
    seen = "bit_count(bit_or(1::UBIGINT << k::UBIGINT))" if width <= 64 else "count(DISTINCT k)"
    return f"""
        SELECT customer_id, unhex(sha256(customer_id)) AS id_hash,
               count(*) = {seen} AS unique_assets,
               {cols}
        FROM (
            SELECT customer_id, balance, list_position($3, asset) - 1 AS k
            FROM read_parquet($1) WHERE as_of = $2
        )
        GROUP BY customer_id
    """


def _fixed_binary(column: pa.Array, size: int) -> np.ndarray:
    """Values of a binary column that are all exactly ``size`` bytes -> (n, size) uint8."""
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[
        column.offset : column.offset + len(column) + 1
    ]
    if np.any(np.diff(offsets) != size):
        raise ValueError(f"expected {size}-byte values")
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(column), size)


def _row_bound(con: duckdb.DuckDBPyConnection, parquet: Files, as_of: dt.date) -> int:
    """Rows of the day: an upper bound on its customers (each has at least one row)."""
    sql = "SELECT count(*) FROM read_parquet($1) WHERE as_of = $2"
    return int(con.sql(sql, params=[_files(parquet), as_of]).fetchall()[0][0])


def _refuse_repeats(batch: pa.RecordBatch) -> None:
    if not pc.all(batch.column(2)).as_py():
        raise KansaError(
            tr(
                "customer_balances repeats a (customer, asset) row on one day.",
                "customer_balances に同じ日・顧客・資産の行が重複しています。",
            )
        )


def read_customer_rows(
    con: duckdb.DuckDBPyConnection, parquet: Files, as_of: dt.date | None = None
) -> CustomerRows:
    """Pivot one day of the snapshot; raises :class:`KansaError` on rows it must refuse.

    The output arrays are allocated once at the row count (an upper bound on customers) and
    filled batch by batch: the tail never written is never touched, so it costs no memory,
    and no concatenation copies the data a second time.
    """
    day = as_of or latest_as_of(con, parquet)
    assets = _assets(con, parquet, day)
    _refuse_bad_rows(con, parquet, day)
    bound = _row_bound(con, parquet, day)
    width = len(assets)
    id_hashes = np.empty((bound, HASH_BYTES), dtype=np.uint8)
    balances = np.empty((bound, AMOUNT_BYTES * width), dtype=np.uint8)
    words = balances.view(">u8")
    reader = con.sql(_pivot_sql(width), params=[_files(parquet), day, list(assets)])
    ids, n = [], 0
    for batch in reader.to_arrow_reader(BATCH_ROWS):
        _refuse_repeats(batch)
        m = batch.num_rows
        ids.append(batch.column(0).cast(pa.large_string()))
        id_hashes[n : n + m] = _fixed_binary(batch.column(1), HASH_BYTES)
        for k in range(width):
            u128.decimal_into(batch.column(3 + k), words[n : n + m, 2 * k : 2 * k + 2])
        n += m
    tree_input = TreeInput(assets=assets, id_hashes=id_hashes[:n], balances=balances[:n])
    customer_ids = pa.chunked_array(ids, type=pa.large_string()).combine_chunks()
    return CustomerRows(tree_input=tree_input, customer_ids=customer_ids, as_of=day)
