"""The SQL analytics (Benford, stratification, duplicates, gaps) on Apache Spark.

The analyses are written once, in DuckDB SQL over the view ``population``; on Spark the very
same statements are rewritten by SQLGlot (:func:`kansa.engine.dialects.transpile`) and run
over a Spark temporary view of the same snapshot files, so the two engines cannot drift apart
in what they compute. Only aggregates and the bounded records a workpaper lists come back to
the driver.

The view keeps the meaning it has on DuckDB: every column of the snapshot plus ``_row``, the
record's position in the whole dataset (a dated dataset's days in order), from Spark's own
row index within each Parquet file (``_metadata.row_index``) plus the rows of the files before
it. Column types are read from the Parquet schema by DuckDB, so each analysis chooses its
formulas (exact digits of DECIMAL(38,0) amounts, HUGEINT totals) exactly as on DuckDB.

Executors read the files where ``[spark] snapshot_root`` says (a shared path or an object
store URL), else in the vault; the snapshot is re-hashed against its ledger entry first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kansa.analytics.population import (
    InputRef,
    Population,
    bounded_connection,
    latest_snapshot,
    quote,
)
from kansa.engine.dialects import transpile
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot
from kansa.vault.integrity import require_snapshot
from kansa.vault.parts import read_parquet_sql
from kansa.vault.shared import spark_file_hashes
from kansa.workspace import Workspace

VIEW = "population"
# functions of the DuckDB SQL that Spark SQL lacks: the analysis is refused, never approximated
NOT_ON_SPARK = {
    "jaro_winkler_similarity": (
        "Fuzzy duplicates (Jaro-Winkler)",
        "あいまい重複検索（Jaro-Winkler）",
    ),
}


@dataclass
class SparkPopulation(Population):
    """A :class:`Population` whose queries run on Spark (``con`` only described the files)."""

    spark: Any = None

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        if params:
            raise ValueError("queries on Spark take no parameters: values are inlined, quoted")
        for function, what in NOT_ON_SPARK.items():
            if function in sql.lower():
                raise KansaError(
                    tr(
                        f"{what[0]} cannot run on Spark: Spark SQL has no {function}. "
                        "Run it with --engine duckdb.",
                        f"{what[1]}は Spark では実行できません（Spark SQL に {function} "
                        "がありません）。--engine duckdb で実行してください。",
                    )
                )
        try:
            frame = self.spark.sql(transpile(sql, "spark"))
            return [tuple(_python(v) for v in row) for row in frame.collect()]
        except Exception as exc:  # Spark's errors come from py4j: one clear line, no trace
            if isinstance(exc, KansaError):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise KansaError(
                tr(f"Spark refused the analysis: {first}", f"Spark が分析を拒否しました: {first}")
            ) from exc

    def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
        rows = self.rows(sql, params)
        assert rows, "an aggregate returns one row"
        return rows[0]


def _python(value: Any) -> Any:
    """A value as DuckDB hands it over. PySpark gives a timestamp as a naive time in the
    driver's local zone; DuckDB gives the instant, aware. Decimals, integers, floats, text
    and dates come back as the same Python types from both."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.astimezone(dt.UTC)
    return value


def executor_path(path: str, vault_dir: str, root: str | None) -> str:
    """Where executors read a vault file: the same relative path under ``root`` if set."""
    if root is None:
        return path
    relative = path[len(vault_dir) :].lstrip("/")
    return root.rstrip("/") + "/" + relative


def _part_key(path: str) -> str:
    """A file's last two path parts (``DAY/HASH.parquet``): unique within a snapshot, and the
    same in the vault and under ``snapshot_root`` (Spark reports paths as URLs)."""
    return "/".join(path.replace("\\", "/").split("/")[-2:])


def spark_frame(spark: Any, snap: Snapshot, vault_dir: str, root: str | None) -> Any:
    """The snapshot's records with ``_row``: each file's row index plus the rows before it.

    All files are read as one (a year of days is 365 files: one read, not 365 unions); each
    row's file is matched to its offset through a small broadcast table."""
    from pyspark.sql import functions as F

    paths = [executor_path(str(path), vault_dir, root) for path, _ in snap.files]
    df = spark.read.parquet(*paths)
    names = list(df.columns)
    if len(paths) == 1:
        return df.select("*", F.col("_metadata.row_index").alias("_row"))
    offsets, total = [], 0
    for (path, _), part in zip(snap.files, snap.parts, strict=True):
        offsets.append((_part_key(str(path)), total))
        total += part.rows
    table = spark.createDataFrame(offsets, "__key STRING, __offset BIGINT")
    keyed = df.select(
        "*",
        F.col("_metadata.row_index").alias("__index"),
        F.regexp_extract(F.col("_metadata.file_path"), r"([^/]+/[^/]+)$", 1).alias("__key"),
    )
    return keyed.join(F.broadcast(table), "__key").select(
        *[F.col(f"`{n}`") for n in names], (F.col("__offset") + F.col("__index")).alias("_row")
    )


def require_shared_copy(spark: Any, snap: Snapshot, vault_dir: str, root: str) -> None:
    """Refuse to analyse a copy under ``root`` whose bytes are not those the ledger vouches
    for: the executors hash each file as they read it (:func:`spark_file_hashes`)."""
    wanted = {_part_key(str(p)): d for p, d in snap.files}
    paths = [executor_path(str(p), vault_dir, root) for p, _ in snap.files]
    try:
        found = {_part_key(path): d for path, d in spark_file_hashes(spark, paths).items()}
    except Exception as exc:  # a missing file: Spark's PATH_NOT_FOUND
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise KansaError(
            tr(
                f"Cannot read the snapshot of {snap.dataset} under {root}: {first}",
                f"{root} の {snap.dataset} スナップショットを読めません: {first}",
            )
        ) from exc
    bad = sorted(k for k, d in wanted.items() if found.get(k) != d)
    if bad:
        raise KansaError(
            tr(
                f"The copy of {snap.dataset} under {root} is not what the ledger recorded: "
                f"{', '.join(bad[:3])}",
                f"{root} の {snap.dataset} のコピーが台帳の記録と一致しません: {', '.join(bad[:3])}",
            ),
            hint=tr(
                "Copy the vault's snapshots/ folder there again (`kansa verify` checks it).",
                "保管庫の snapshots/ を再度コピーしてください（`kansa verify` で確認できます）。",
            ),
        )


def attach_spark(
    spark: Any,
    con: Any,
    snap: Snapshot,
    vault_dir: str,
    root: str | None,
    filters: dict[str, str] | None = None,
) -> SparkPopulation:
    """The view ``population`` over ``snap`` on ``spark``, as :func:`attach` makes it on DuckDB."""
    require_snapshot(snap)
    if root is not None:
        require_shared_copy(spark, snap, vault_dir, root)
    described = con.execute(f"DESCRIBE SELECT * FROM {read_parquet_sql(snap)}").fetchall()
    columns = {str(r[0]): str(r[1]) for r in described}
    frame = spark_frame(spark, snap, vault_dir, root)
    for name, value in (filters or {}).items():
        if name not in columns:
            raise KansaError(
                tr(
                    f"Cannot filter on {name!r}: no such column.",
                    f"列 {name!r} はないため絞り込めません。",
                ),
                hint=tr("Columns: ", "列: ") + ", ".join(columns),
            )
        frame = frame.where(f"CAST(`{name.replace('`', '``')}` AS STRING) = {_literal(value)}")
    frame.createOrReplaceTempView(VIEW)
    return SparkPopulation(con=con, input=InputRef.of(snap, filters), columns=columns, spark=spark)


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@contextmanager
def open_spark_population(
    ws: Workspace, dataset: str, filters: dict[str, str] | None = None
) -> Iterator[SparkPopulation]:
    """The latest snapshot of ``dataset`` as ``population`` on the workspace's Spark session."""
    from kansa.engine.spark.session import spark_session

    snap = latest_snapshot(ws, dataset)
    try:
        spark = spark_session(ws.config.spark)
    except ImportError as exc:
        raise KansaError(
            tr(
                "The Spark engine needs PySpark: pip install 'kansa[spark]'.",
                "Spark エンジンには PySpark が必要です: pip install 'kansa[spark]'",
            )
        ) from exc
    with bounded_connection(ws) as con:
        try:
            yield attach_spark(
                spark,
                con,
                snap,
                str(ws.vault_dir.resolve()),
                ws.config.spark.snapshot_root,
                filters,
            )
        finally:
            spark.catalog.dropTempView(VIEW)


__all__ = ["SparkPopulation", "attach_spark", "open_spark_population", "quote"]
