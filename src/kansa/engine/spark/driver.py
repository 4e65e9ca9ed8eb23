"""Python-logic controls on a Spark run: their inputs read on the driver, under a size limit.

Descriptor derivation, Safe state and the reserves' Merkle-sum tree are Python, not SQL. On
Spark they read what they need on the driver: Spark reads each declared dataset (as the
executors see it) and hands its rows to the driver as Arrow; the control then runs unchanged on
an in-memory DuckDB connection that holds exactly those rows (and the shared views over them),
locked as the DuckDB sandbox is (no file, network or extension access, settings frozen).

The driver's memory is the limit, so the rows read are capped by ``[spark] driver_max_rows``
(default 5,000,000): a control whose inputs hold more is an error saying so, before anything is
read (the counts come from the vault's manifests, not from a scan).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import pyarrow as pa

from kansa.controls.render import set_tz_variable
from kansa.controls.views import SharedView, create_views
from kansa.engine.execute import ControlFailure, Job
from kansa.engine.sandbox import available_views
from kansa.i18n import tr
from kansa.vault import Snapshot


def check_driver_rows(job: Job, snapshots: Mapping[str, Snapshot], limit: int) -> None:
    """Refuse, naming the setting, a logic control whose inputs exceed ``limit`` rows."""
    rows = sum(snapshots[d].rows for d in job.control.datasets if d in snapshots)
    if rows > limit:
        raise ControlFailure(
            tr(
                f"{job.control.id} reads {rows:,} input rows on the Spark driver, over the "
                f"limit of {limit:,} ([spark] driver_max_rows in kansa.toml)",
                f"{job.control.id} は Spark ドライバーで {rows:,} 行を読みますが、上限 {limit:,} 行"
                "（kansa.toml の [spark] driver_max_rows）を超えています",
            )
        )


def collect_arrow(frame: Any) -> pa.Table:
    """A Spark DataFrame's rows on the driver as one Arrow table (typed even when empty)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(frame.schema)
    batches = frame._collect_as_arrow()  # PySpark 3.x: Arrow batches straight from the JVM
    return pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()


def driver_connection(
    spark: Any,
    job: Job,
    snapshots: Mapping[str, Snapshot],
    views: Mapping[str, SharedView],
    tz: str,
) -> duckdb.DuckDBPyConnection:
    """A locked in-memory DuckDB connection holding the control's datasets as Spark read them."""
    con = duckdb.connect(config={"memory_limit": "1GB"})
    con.execute("SET TimeZone = 'UTC'")
    loaded = {}
    for name in job.control.datasets:
        if name in snapshots:
            con.register("kansa_rows", collect_arrow(spark.table(f"`{name}`")))
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM kansa_rows')
            con.unregister("kansa_rows")
            loaded[name] = snapshots[name]
    mine = {n: views[n] for n in available_views(views, loaded)}
    create_views(con, mine.values(), job.as_of, tz=tz)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    set_tz_variable(con, tz)
    return con
