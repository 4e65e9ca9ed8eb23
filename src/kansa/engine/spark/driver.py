"""Python-logic controls on a Spark run: their inputs read on the driver, under a size limit.

Descriptor derivation, Safe state and the reserves' Merkle-sum tree are Python, not SQL. On
Spark they read what they need on the driver: Spark reads each declared dataset (as the
executors see it) and hands its rows to the driver as Arrow; the control then runs unchanged on
an in-memory DuckDB connection that holds exactly those rows (and the shared views over them),
locked as the DuckDB sandbox is (no file, network or extension access, settings frozen).

A control may say it needs less than a whole dataset: a ``-- name: driver_<dataset>`` block in
its SQL file is a query over that dataset (CUS-008: the as-of day's balances summed per asset,
a few rows instead of a year of balances). Spark runs it, guarded like any control query, and
the driver receives only its rows, under the dataset's name. Shared views are made only over
the datasets read whole (a view may need columns a driver block leaves out).

The driver's memory is the limit, so the rows read are capped by ``[spark] driver_max_rows``
(default 5,000,000): a control whose whole datasets hold more is an error saying so, before
anything is read (the counts come from the vault's manifests, not from a scan); a driver
block's rows are counted as they arrive, and one row over what is left of the limit is the
same error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from kansa.controls.render import set_tz_variable
from kansa.controls.views import SharedView, create_views
from kansa.engine.execute import ControlFailure, Job
from kansa.engine.sandbox import available_views
from kansa.i18n import tr
from kansa.vault import Snapshot


def whole_datasets(job: Job, snapshots: Mapping[str, Snapshot]) -> list[str]:
    """The control's datasets the driver reads whole (those without a driver block)."""
    return [d for d in job.control.datasets if d in snapshots and d not in job.control.driver_reads]


def check_driver_rows(job: Job, snapshots: Mapping[str, Snapshot], limit: int) -> None:
    """Refuse, naming the setting, a logic control whose whole datasets exceed ``limit`` rows."""
    rows = sum(snapshots[d].rows for d in whole_datasets(job, snapshots))
    if rows > limit:
        raise _over_limit(job, f"{rows:,}", limit)


def _over_limit(job: Job, rows: str, limit: int) -> ControlFailure:
    return ControlFailure(
        tr(
            f"{job.control.id} reads {rows} input rows on the Spark driver, over the "
            f"limit of {limit:,} ([spark] driver_max_rows in kansa.toml)",
            f"{job.control.id} は Spark ドライバーで {rows} 行を読みますが、上限 {limit:,} 行"
            "（kansa.toml の [spark] driver_max_rows）を超えています",
        )
    )


@dataclass(frozen=True)
class DriverInputs:
    """What a logic control's driver connection is given: dataset -> the Spark SQL whose rows
    become that table (``SELECT * FROM`` it, or its checked driver block), the snapshots of
    those read whole (shared views are made over them), and the row limit for all of them
    together (``[spark] driver_max_rows``)."""

    queries: dict[str, str]
    whole: Mapping[str, Snapshot]
    limit: int


def collect_arrow(frame: Any) -> pa.Table:
    """A Spark DataFrame's rows on the driver as one Arrow table (typed even when empty)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(frame.schema)
    batches = frame._collect_as_arrow()  # PySpark 3.x: Arrow batches straight from the JVM
    return pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()


def _load(con: duckdb.DuckDBPyConnection, spark: Any, job: Job, inputs: DriverInputs) -> None:
    """Each input's rows as a table named after its dataset, counted against the limit as
    they arrive (Spark stops at one row over)."""
    left = inputs.limit
    for name, query in inputs.queries.items():
        table = collect_arrow(spark.sql(query).limit(left + 1))
        if table.num_rows > left:
            raise _over_limit(job, f"more than {inputs.limit:,}", inputs.limit)
        left -= table.num_rows
        con.register("kansa_rows", table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM kansa_rows')
        con.unregister("kansa_rows")


def driver_connection(
    spark: Any,
    job: Job,
    inputs: DriverInputs,
    views: Mapping[str, SharedView],
    tz: str,
) -> duckdb.DuckDBPyConnection:
    """A locked in-memory DuckDB connection holding the control's datasets as Spark read them
    (``inputs``: each whole dataset, or its driver block's rows)."""
    con = duckdb.connect(config={"memory_limit": "1GB"})
    try:
        con.execute("SET TimeZone = 'UTC'")
        _load(con, spark, job, inputs)
        mine = {n: views[n] for n in available_views(views, inputs.whole)}
        create_views(con, mine.values(), job.as_of, tz=tz)
    except BaseException:
        con.close()
        raise
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    set_tz_variable(con, tz)
    return con
