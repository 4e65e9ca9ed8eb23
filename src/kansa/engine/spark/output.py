"""A control's exception rows from Spark to the ONE Parquet file the vault commits.

The executors write the rows (``DataFrame.write.parquet``), each task its own part file, in
parallel. The parts are then joined, in partition order, into the single file the runner
planned, one row group at a time (the driver never holds the whole set).

Why not ``coalesce(1)`` before the write: coalescing is a narrow dependency, so Spark runs the
query's last stage in ONE task, and a control that scans and filters a large dataset loses all
but one core (measured: CSR-001 at 20k x 30 took 15.6 s coalesced, 7.8 s in parts; see
docs/PERFORMANCE.md). Partition order is the query's order: a sorted result is range
partitioned, so the parts joined by their index keep an ORDER BY.

Where the executors write: the run's staging folder (local mode), or, with ``[spark]
snapshot_root`` set, a staging folder under that shared root, which every executor of a cluster
reaches; the parts are then brought to the driver through Spark's own Hadoop file system
(``hadoop-aws`` for ``s3a://``), never a client of Kansa's.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kansa.engine.execute import ControlFailure

_PART = re.compile(r"part-(\d+)-")


def _index(path: Path) -> int:
    found = _PART.match(path.name)
    if found is None:
        raise ControlFailure(f"Spark wrote an unexpected file {path.name}")
    return int(found.group(1))


def join_parts(parts: list[Path], output: Path, empty_schema: Any) -> None:
    """``parts`` (Spark's part files of one result) as one Parquet file at ``output``, in
    partition order. No part (Spark wrote none for an empty result): an empty file of
    ``empty_schema`` (an Arrow schema)."""
    ordered = sorted(parts, key=_index)
    if not ordered:
        pq.write_table(empty_schema.empty_table(), output)
        return
    schema = pq.read_schema(ordered[0])
    with pq.ParquetWriter(output, schema) as writer:
        for part in ordered:
            reader = pq.ParquetFile(part)
            if not reader.schema_arrow.equals(schema):
                raise ControlFailure(f"Spark wrote parts of different schemas ({part.name})")
            for group in range(reader.num_row_groups):
                writer.write_table(reader.read_row_group(group))


def hadoop_fs(spark: Any, url: str) -> tuple[Any, Any]:
    """Spark's Hadoop file system for ``url`` and ``url`` as a Hadoop ``Path``."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(url)
    return path.getFileSystem(spark._jsc.hadoopConfiguration()), path


def fetch_parts(spark: Any, url: str, local: Path) -> list[Path]:
    """Copy the part files Spark wrote under ``url`` into the local folder ``local`` (through
    Spark's Hadoop file system), then delete ``url``; returns the local copies."""
    fs, folder = hadoop_fs(spark, url)
    jvm = spark.sparkContext._jvm
    local.mkdir(parents=True, exist_ok=True)
    found = fs.globStatus(jvm.org.apache.hadoop.fs.Path(url.rstrip("/") + "/part-*.parquet"))
    for status in found or []:
        # useRawLocalFileSystem: no .crc side files next to the copies
        fs.copyToLocalFile(False, status.getPath(), jvm.org.apache.hadoop.fs.Path(str(local)), True)
    fs.delete(folder, True)
    return sorted(local.glob("part-*.parquet"))


def write_exceptions(spark: Any, frame: Any, output: Path, shared_staging: str | None) -> None:
    """``frame``'s rows as one Parquet file at ``output`` (the driver's staging folder).

    ``shared_staging``: the folder URL under the shared root where the executors write the
    parts (``None``: next to ``output``, for a Spark whose executors share this disk)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(frame.schema)
    if shared_staging is None:
        folder = output.parent / "spark-out" / output.stem
        frame.write.mode("overwrite").parquet(str(folder))
        try:
            join_parts(list(folder.glob("part-*.parquet")), output, schema)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    url = shared_staging.rstrip("/") + "/" + output.stem
    frame.write.mode("overwrite").parquet(url)
    local = Path(tempfile.mkdtemp(prefix=f"{output.stem}-", dir=output.parent))
    try:
        join_parts(fetch_parts(spark, url, local), output, schema)
    finally:
        shutil.rmtree(local, ignore_errors=True)


def publish_copy(spark: Any, root: str, rel: str, source: Path) -> None:
    """Copy the committed vault file ``source`` to ``root``/``rel`` (the shared root, at the
    vault's relative path): a local folder by a copy then a rename (never a half-written file
    under its final name), an object store through Spark's Hadoop file system."""
    from kansa.vault.shared import local_root, shared_path

    folder = local_root(root)
    if folder is not None:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(source, partial)
        partial.replace(target)
        return
    fs, dest = hadoop_fs(spark, shared_path(root, rel))
    jvm = spark.sparkContext._jvm
    fs.copyFromLocalFile(False, True, jvm.org.apache.hadoop.fs.Path(str(source)), dest)


def remove_folder(spark: Any, url: str) -> None:
    """Delete ``url`` (a run's staging folder on the shared root) if it exists."""
    fs, folder = hadoop_fs(spark, url)
    if fs.exists(folder):
        fs.delete(folder, True)
