"""The run's snapshots and shared views as temporary views of a Spark session.

Each dataset is one temporary view over its snapshot's Parquet files (a dated dataset: one file
per day, read as one), read where the executors find them (``[spark] snapshot_root``, else the
vault folder itself). As on DuckDB (:mod:`kansa.engine.snapshot_view`), an optional column the
contract gained after a snapshot was written is added as NULL of its type. The catalog's shared
views are then created over them in dependency order, each checked by the SQL guard (DuckDB
dialect, as written) and by the Spark guard after SQLGlot rewrote it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from kansa.contracts import load_contracts
from kansa.controls.views import SharedView, rendered
from kansa.engine.asof import DAILY_DATASETS
from kansa.engine.dialects import transpile
from kansa.engine.guard import UnsafeQuery, check_query
from kansa.engine.sandbox import available_views
from kansa.engine.spark.guard import check_spark_sql
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot


def executor_path(path: Path, vault_dir: Path, root: str | None) -> str:
    """Where executors read ``path`` (a file of the vault): under ``root`` when one is set."""
    if root is None:
        return str(path)
    return root.rstrip("/") + "/" + path.resolve().relative_to(vault_dir.resolve()).as_posix()


def spark_type(duckdb_type: str) -> str:
    """A contract column's DuckDB type in Spark's words (``DECIMAL(38, 0)``, ``TIMESTAMP``)."""
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql("spark")


def dataset_frame(
    spark: Any, name: str, snapshot: Snapshot, vault_dir: Path, root: str | None
) -> Any:
    """The snapshot's rows, with the contract's absent optional columns as typed NULLs."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    paths = [executor_path(p, vault_dir, root) for p, _ in snapshot.files]
    # the schema from the vault's own copy (the driver always has it): Spark then starts no
    # job to infer or merge it, and days written before an optional column existed read NULL
    schema = pa.unify_schemas([pq.read_schema(p) for p, _ in snapshot.files])
    df = spark.read.schema(from_arrow_schema(schema)).parquet(*paths)
    contract = load_contracts().get(name)
    for column in contract.columns if contract else ():
        if column.optional and column.name not in df.columns:
            df = df.withColumn(column.name, F.lit(None).cast(spark_type(column.duckdb_type)))
    return df


def columns_of(frame: Any) -> dict[str, str]:
    """A frame's column types in Spark's words (for SQLGlot's type inference)."""
    return {f.name: f.dataType.simpleString() for f in frame.schema.fields}


def register_datasets(
    spark: Any, snapshots: Mapping[str, Snapshot], vault_dir: Path, root: str | None
) -> dict[str, dict[str, str]]:
    """One temporary view per dataset; returns their column types."""
    schema = {}
    for name, snap in sorted(snapshots.items()):
        frame = dataset_frame(spark, name, snap, vault_dir, root)
        frame.createOrReplaceTempView(name)
        schema[name] = columns_of(frame)
    return schema


def latest_day(snapshot: Snapshot) -> dt.date | None:
    """max(as_of) of a dated snapshot whose business date is its DATE column ``as_of``, read
    from its manifest (the day of each part that holds rows) instead of scanning every part:
    at 1M x 365 that scan alone is over 400 M rows. ``None`` when the manifest cannot say."""
    contract = load_contracts().get(snapshot.dataset)
    if not snapshot.dated or contract is None or contract.business_date != "as_of":
        return None
    column = next((c for c in contract.columns if c.name == "as_of"), None)
    if column is None or column.duckdb_type.upper() != "DATE":
        return None
    return max((p.day for p in snapshot.parts if p.rows > 0), default=None)


def default_as_of(spark: Any, snapshots: Mapping[str, Snapshot]) -> dt.date:
    """As :func:`kansa.engine.asof.default_as_of`: the latest day of the first daily dataset."""
    for name in DAILY_DATASETS:
        if name in snapshots:
            latest = latest_day(snapshots[name])
            if latest is None:
                latest = spark.sql(f"SELECT max(as_of) AS d FROM `{name}`").collect()[0]["d"]
            if isinstance(latest, dt.date):
                return latest
    return dt.datetime.now(dt.UTC).date()


def register_shared(
    spark: Any,
    views: Mapping[str, SharedView],
    snapshots: Mapping[str, Snapshot],
    as_of: dt.date,
    tz: str,
    schema: dict[str, dict[str, str]],
) -> dict[str, frozenset[str]]:
    """Create the usable shared views; return them with the datasets each reads (``schema``
    gains each view's column types)."""
    usable = available_views(views, snapshots)
    for name in usable:  # dependency order
        before = {n: usable[n] for n in views[name].depends if n in usable}
        own = [d for d in views[name].depends if d in snapshots]
        sql = rendered(views[name], as_of, tz)
        try:
            check_query(sql, own, views=before)
            frame = spark.sql(check_spark_sql(spark, transpile(sql, "spark", schema)))
        except UnsafeQuery as exc:
            raise KansaError(
                tr(
                    f"Shared view {name} is refused: {exc}",
                    f"共有ビュー {name} は拒否されました: {exc}",
                )
            ) from exc
        frame.createOrReplaceTempView(name)
        schema[name] = columns_of(frame)
    return usable
