"""Write demo tables in the exact shape of their contracts, as Parquet or CSV.

Files are deterministic: same rows in the same order give the same bytes (fixed compression,
no timestamps in metadata). Big tables stream through :class:`TableSink` chunk by chunk, so
memory stays bounded whatever the number of customers.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kansa.contracts import Contract, get_contract
from kansa.demo.columns import AMOUNT, TIMESTAMP

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "amount": AMOUNT,
    "signed_amount": AMOUNT,
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": TIMESTAMP,
}


def arrow_schema(contract: Contract) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in contract.columns]
    )


class TableSink:
    """One output file for one dataset; ``write`` takes Arrow tables or lists of row dicts."""

    def __init__(self, folder: Path, dataset: str, file_format: str) -> None:
        self.dataset = dataset
        contract = get_contract(dataset)
        self.schema = arrow_schema(contract)
        # columns a contract added as optional: tables built before them get them empty
        self.optional = {c.name for c in contract.columns if c.optional}
        self.path = folder / f"{dataset}.{file_format}"
        self.rows = 0
        self._writer: Any
        if file_format == "parquet":
            self._writer = pq.ParquetWriter(
                self.path, self.schema, compression="zstd", use_dictionary=True
            )
        else:
            self._writer = pacsv.CSVWriter(self.path, self.schema)

    def write(self, data: pa.Table | list[dict[str, Any]]) -> None:
        table = (
            data if isinstance(data, pa.Table) else pa.Table.from_pylist(data, schema=self.schema)
        )
        for f in self.schema:
            if f.name in self.optional and f.name not in table.column_names:
                table = table.append_column(f.name, pa.nulls(table.num_rows, f.type))
        table = table.select(self.schema.names).cast(self.schema)
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> TableSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_rows(folder: Path, dataset: str, file_format: str, rows: list[dict[str, Any]]) -> int:
    """Write a small table in one go; returns the row count."""
    with TableSink(folder, dataset, file_format) as sink:
        sink.write(rows)
        if not rows:  # an empty file still carries the schema
            sink.write(pa.Table.from_pylist([], schema=sink.schema))
    return sink.rows
