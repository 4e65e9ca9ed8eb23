"""Open a dataset's latest vault snapshot as a DuckDB view, with memory bounded.

Every analysis runs as SQL over the snapshot's Parquet file; Python only ever receives
aggregates or the (bounded) records an auditor has to see. The view ``population`` carries
every column of the snapshot plus ``_row``: the record's position in the file, stable for the
life of the snapshot, so that any selected or flagged record can be found again.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from kansa.analytics.result import Analysis, Bilingual, Table
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault
from kansa.vault.integrity import require_snapshot
from kansa.vault.parts import read_parquet_sql
from kansa.workspace import Workspace

INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
TIME_TYPES = {
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "TIMESTAMPTZ",
    "DATE",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
}


@dataclass(frozen=True)
class InputRef:
    """What an analysis read: enough to find the exact bytes again and check them."""

    dataset: str
    sha256: str
    rows: int
    contract_version: str
    ledger_seq: int
    filters: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "snapshot_sha256": self.sha256,
            "rows": self.rows,
            "contract_version": self.contract_version,
            "ledger_seq": self.ledger_seq,
        }
        if self.filters:
            out["filters"] = dict(self.filters)
        return out

    @classmethod
    def of(cls, snap: Snapshot, filters: dict[str, str] | None = None) -> InputRef:
        kept = tuple(sorted((filters or {}).items()))
        return cls(snap.dataset, snap.sha256, snap.rows, snap.contract_version, snap.seq, kept)


def quote(name: str) -> str:
    """A SQL identifier, quoted (names are also checked against the schema before use)."""
    return '"' + name.replace('"', '""') + '"'


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def is_numeric(duck_type: str) -> bool:
    t = duck_type.upper()
    return t in INTEGER_TYPES or t in FLOAT_TYPES or t.startswith("DECIMAL")


def is_temporal(duck_type: str) -> bool:
    return duck_type.upper() in TIME_TYPES


def decimal_scale(duck_type: str) -> int | None:
    """The scale of a ``DECIMAL(p,s)`` type, 0 for integers, None for anything else."""
    t = duck_type.upper()
    if t in INTEGER_TYPES:
        return 0
    if t.startswith("DECIMAL(") and t.endswith(")"):
        return int(t[len("DECIMAL(") : -1].split(",")[1])
    return None


@dataclass
class Population:
    """A connection with the view ``population`` over one snapshot."""

    con: duckdb.DuckDBPyConnection
    input: InputRef
    columns: dict[str, str]

    def column(self, name: str, *, numeric: bool = False, temporal: bool = False) -> str:
        """Check that ``name`` exists (and has the right kind); return it quoted."""
        if name not in self.columns:
            raise KansaError(
                tr(
                    f"Dataset {self.input.dataset} has no column {name!r}.",
                    f"データセット {self.input.dataset} に列 {name!r} はありません。",
                ),
                hint=tr("Columns: ", "列: ") + ", ".join(self.columns),
            )
        kind = self.columns[name]
        if numeric and not is_numeric(kind):
            raise KansaError(
                tr(
                    f"Column {name} is {kind}, not a number.",
                    f"列 {name} は {kind} 型で、数値ではありません。",
                )
            )
        if temporal and not is_temporal(kind):
            raise KansaError(
                tr(
                    f"Column {name} is {kind}, not a date or timestamp.",
                    f"列 {name} は {kind} 型で、日付・時刻ではありません。",
                )
            )
        return quote(name)

    def require_one_unit(self, column: str, unit_column: str = "asset") -> None:
        """Refuse value-weighted work across assets: each asset's amounts are in its own
        smallest unit (satoshi, wei), so their sum means nothing."""
        if unit_column not in self.columns or unit_column in dict(self.input.filters):
            return
        units = [
            str(r[0])
            for r in self.rows(
                f"SELECT DISTINCT {quote(unit_column)} FROM population ORDER BY 1 LIMIT 6"
            )
        ]
        if len(units) > 1:
            shown = ", ".join(units[:5]) + (", ..." if len(units) > 5 else "")
            raise KansaError(
                tr(
                    f"{self.input.dataset}.{column} mixes assets ({shown}), each in its own smallest unit: their values cannot be added.",
                    f"{self.input.dataset}.{column} には複数の資産（{shown}）が含まれ、単位が異なるため合算できません。",
                ),
                hint=tr(
                    f"Analyse one asset at a time: --filter {unit_column}={units[0]}",
                    f"資産ごとに分析してください: --filter {unit_column}={units[0]}",
                ),
            )

    def record_columns(self, alias: str = "") -> list[str]:
        """Every column of a record, quoted (``alias.`` before each when the query joins)."""
        prefix = f"{alias}." if alias else ""
        return [f"{prefix}{quote(c)}" for c in self.columns]

    def analysis(
        self,
        *,
        analysis: str,
        title: Bilingual,
        parameters: dict[str, Any],
        summary: dict[str, Any],
        conclusion: Bilingual,
        tables: list[Table] | None = None,
        records: Table | None = None,
        seed: int | None = None,
    ) -> Analysis:
        """The result of an analysis of this population: the dataset comes first in its
        parameters and the snapshot (hash, rows, filters) is its one input, so that every
        workpaper says what it was computed from in the same way."""
        return Analysis(
            analysis=analysis,
            title=title,
            parameters={"dataset": self.input.dataset, **parameters},
            inputs=[self.input.to_json()],
            summary=summary,
            conclusion=conclusion,
            seed=seed,
            tables=tables or [],
            records=records,
        )

    def first_temporal_column(self) -> str | None:
        return next((n for n, t in self.columns.items() if is_temporal(t)), None)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
        row = self.con.execute(sql, params or []).fetchone()
        assert row is not None
        return row


def connect(memory_limit: str, threads: int | None, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded by the workspace's ``memory_limit``; spills to ``temp_dir``."""
    config: dict[str, Any] = {
        "memory_limit": memory_limit,
        "temp_directory": str(temp_dir),
        "preserve_insertion_order": False,
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # stdout belongs to the CLI (--json)
    return con


def latest_snapshot(ws: Workspace, dataset: str) -> Snapshot:
    snap = Vault(ws.vault_dir).latest(dataset)
    if snap is None:
        raise KansaError(
            tr(
                f"The vault holds no snapshot of dataset {dataset!r}.",
                f"保管庫にデータセット {dataset!r} のスナップショットがありません。",
            ),
            hint=tr(
                "Ingest it first (`kansa ingest DATASET FILE`).",
                "先に取り込んでください（`kansa ingest DATASET FILE`）。",
            ),
        )
    return snap


def _row_sql(snap: Snapshot) -> str:
    """The record's position in the whole view: a dated dataset's days are read in order, so
    a day's rows come after the rows of every earlier day."""
    if len(snap.files) == 1:
        return "file_row_number"
    offsets, total = [], 0
    for (path, _), part in zip(snap.files, snap.parts, strict=True):
        offsets.append(f"WHEN {sql_text(str(path))} THEN {total}")
        total += part.rows
    return f"(CASE filename {' '.join(offsets)} END + file_row_number)"


def attach(
    con: duckdb.DuckDBPyConnection, snap: Snapshot, filters: dict[str, str] | None = None
) -> Population:
    """Create the ``population`` view over ``snap`` on ``con``, keeping only the records whose
    columns equal ``filters`` (e.g. ``{"asset": "ETH"}``: amounts of different assets are in
    different units). ``_row`` stays the position in the whole view (a dated dataset's days in
    order).

    The snapshot is re-hashed against its ledger entry first: a workpaper names the snapshot's
    hash as its input, so it must never be computed from other bytes."""
    require_snapshot(snap)
    source = read_parquet_sql(snap, "file_row_number = true, filename = true")
    described = con.execute(
        f"DESCRIBE SELECT * EXCLUDE (file_row_number, filename) FROM {source}"
    ).fetchall()
    columns = {str(r[0]): str(r[1]) for r in described}
    where = []
    for name, value in (filters or {}).items():
        if name not in columns:
            raise KansaError(
                tr(
                    f"Cannot filter on {name!r}: no such column.",
                    f"列 {name!r} はないため絞り込めません。",
                ),
                hint=tr("Columns: ", "列: ") + ", ".join(columns),
            )
        where.append(f"CAST({quote(name)} AS VARCHAR) = {sql_text(value)}")
    con.execute(
        "CREATE OR REPLACE VIEW population AS "
        f"SELECT * EXCLUDE (file_row_number, filename), {_row_sql(snap)} AS _row FROM {source}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
    )
    return Population(con=con, input=InputRef.of(snap, filters), columns=columns)


@contextmanager
def open_population(
    ws: Workspace, dataset: str, filters: dict[str, str] | None = None
) -> Iterator[Population]:
    """The latest snapshot of ``dataset`` as ``population``, on a bounded connection."""
    snap = latest_snapshot(ws, dataset)
    with bounded_connection(ws) as con:
        yield attach(con, snap, filters)


@contextmanager
def bounded_connection(ws: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    tmp = Path(tempfile.mkdtemp(prefix="kansa-analytics-"))
    con = connect(ws.config.memory_limit, ws.config.threads, tmp)
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
