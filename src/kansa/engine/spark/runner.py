"""The Spark engine: one control at a time per worker thread, each in its own job group.

For a SQL control: render it, check it with the SQL guard as written (DuckDB dialect), rewrite
it for Spark with SQLGlot, check the rewrite with the Spark guard, count the population, and
write the test query's rows as one Parquet file (the executors write it in parts, joined into
the path the runner planned: :mod:`.output`; the vault commit picks it up exactly as on
DuckDB). A Python-logic control reads its inputs on the driver (:mod:`.driver`). A control that
cannot run on Spark (:mod:`.support`) is an error carrying the reason.

Every Spark job a control starts belongs to its job group, so its time limit (or Ctrl-C)
cancels them (``SparkContext.cancelJobGroup``, with the executor threads interrupted): the
control is an error at once and its jobs fail. A task that never reads input again (a loop
over a broadcast side, e.g. a join with no condition) does not see Spark's kill flag and runs
on: on a cluster Spark's task reaper then kills its executor (:mod:`.session`); in local mode
it shares the cores until it ends (docs/spark.md).

Each run works in a fresh session of the process's SparkSession (``newSession``): its own
temporary views and SQL settings, sharing the JVM and executors.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kansa.contracts import load_contracts
from kansa.controls import render_sql
from kansa.controls.views import SharedView
from kansa.engine.dialects import transpile
from kansa.engine.execute import ControlFailure, Job, check_keys, execute, first_lines, outcome
from kansa.engine.guard import check_query
from kansa.engine.result import ControlOutcome, RunResult
from kansa.engine.sandbox import ENGINE_NAME as DUCKDB_NAME
from kansa.engine.spark.driver import (
    DriverInputs,
    check_driver_rows,
    driver_connection,
    whole_datasets,
)
from kansa.engine.spark.guard import check_spark_sql
from kansa.engine.spark.output import publish_copy, remove_folder, write_exceptions
from kansa.engine.spark.session import IMPOSED_SQL, engine_name, spark_session
from kansa.engine.spark.support import spark_reason
from kansa.engine.spark.views import default_as_of, register_datasets, register_shared
from kansa.engine.watchdog import Clock, Watchdog
from kansa.i18n import tr
from kansa.vault import Snapshot
from kansa.workspace import Workspace


@dataclass
class JobGroup:
    """One control's Spark jobs; ``interrupt()`` cancels them (the watchdog's handle)."""

    spark: Any
    group: str

    def enter(self, description: str) -> None:
        """Make every job this thread starts from now on part of the group."""
        self.spark.sparkContext.setJobGroup(self.group, description, interruptOnCancel=True)

    def interrupt(self) -> None:
        self.spark.sparkContext.cancelJobGroup(self.group)


class SparkRun:
    """One run's read-only Spark session (an :class:`~kansa.engine.engines.EngineSession`)."""

    def __init__(
        self,
        workspace: Workspace,
        staging: Path,
        snapshots: Mapping[str, Snapshot],
        outputs: Collection[Path],
        views: Mapping[str, SharedView],
        as_of: dt.date | None,
    ) -> None:
        settings = workspace.config.spark
        self.name = engine_name()
        self._spark = spark_session(settings).newSession()
        for key, value in IMPOSED_SQL.items():
            self._spark.conf.set(key, value)
        self._snapshots = snapshots
        self._staging = staging
        self._views = views
        self._tz = workspace.config.day_zone
        self._driver_max_rows = settings.driver_max_rows
        # with a shared root, executors write exception parts there (a cluster's executors
        # cannot reach the driver's staging folder)
        self.exceptions_root = settings.snapshot_root
        self._shared_staging = (
            None
            if settings.snapshot_root is None
            else f"{settings.snapshot_root.rstrip('/')}/staging/{staging.name}"
        )
        self._known = set(load_contracts())
        self._schema = register_datasets(
            self._spark, snapshots, workspace.vault_dir, settings.snapshot_root
        )
        self.as_of = as_of or default_as_of(self._spark, snapshots)
        self._usable = register_shared(
            self._spark, views, snapshots, self.as_of, self._tz, self._schema
        )

    def run(self, job: Job, watchdog: Watchdog) -> tuple[ControlOutcome, Clock]:
        group = JobGroup(self._spark, f"kansa-{job.control.id}-{secrets.token_hex(4)}")
        group.enter(f"kansa control {job.control.id}")
        with watchdog.watch(group) as clock:
            if job.control.logic:
                return self._on_driver(job, watchdog, clock), clock
            return self._sql(job), clock

    def _sql(self, job: Job) -> ControlOutcome:
        started = time.perf_counter()
        control = job.control
        read: set[str] = {d for d in control.datasets if d in self._snapshots}
        population = exceptions = None
        error = None
        try:
            reason = spark_reason(control, self._views)
            if reason is not None:
                raise ControlFailure(
                    tr(f"cannot run on Spark: {reason}", f"Spark では実行できません: {reason}")
                )
            population, exceptions, found = self._run_sql(job)
            read |= found
            check_keys(job)
        except Exception as exc:  # a control's failure to run is a verdict, never a crash
            error = first_lines(exc)
        return outcome(
            job, self._snapshots, read, started, population, exceptions, error, self.name
        )

    def _spark_query(self, sql: str, job: Job) -> tuple[str, frozenset[str]]:
        control = job.control
        declared = [d for d in control.datasets if d in self._snapshots]
        shared = {v: d for v, d in self._usable.items() if v in control.views}
        read = check_query(sql, declared, self._known, shared)
        return check_spark_sql(self._spark, transpile(sql, "spark", self._schema)), read

    def _run_sql(self, job: Job) -> tuple[int | None, int, set[str]]:
        control = job.control
        assert control.test_sql is not None
        values = job.values
        test_sql, read = self._spark_query(render_sql(control.test_sql, values), job)
        found = set(read)
        population: int | None = None
        if control.population_sql:
            pop_sql, pop_read = self._spark_query(render_sql(control.population_sql, values), job)
            found |= pop_read
            population = int(self._spark.sql(pop_sql).count())
        self._write(self._spark.sql(test_sql), job.output)
        return population, int(pq.ParquetFile(job.output).metadata.num_rows), found

    def _write(self, frame: Any, output: Path) -> None:
        """The rows as ONE Parquet file at ``output``: written by the executors in parts."""
        write_exceptions(self._spark, frame, output, self._shared_staging)

    def _on_driver(self, job: Job, watchdog: Watchdog, clock: Clock) -> ControlOutcome:
        name = f"{self.name} (driver: {DUCKDB_NAME})"
        started = time.perf_counter()
        try:
            con = driver_connection(
                self._spark, job, self._driver_inputs(job), self._views, self._tz
            )
        except Exception as exc:
            read = [d for d in job.control.datasets if d in self._snapshots]
            error = first_lines(exc)
            return outcome(job, self._snapshots, read, started, None, None, error, name)
        try:
            cur = con.cursor()
            with watchdog.watch(cur) as inner:
                result = execute(cur, job, self._snapshots, self._known, None, engine=name)
            clock.expired = clock.expired or inner.expired
            return result
        finally:
            con.close()

    def _driver_inputs(self, job: Job) -> DriverInputs:
        """The whole datasets (within the row limit) and the control's checked driver blocks."""
        check_driver_rows(job, self._snapshots, self._driver_max_rows)
        whole = {name: self._snapshots[name] for name in whole_datasets(job, self._snapshots)}
        queries = {name: f"SELECT * FROM `{name}`" for name in whole}
        for name, sql in job.control.driver_reads.items():
            if name in self._snapshots:
                queries[name] = self._spark_query(render_sql(sql, job.values), job)[0]
        return DriverInputs(queries, whole, self._driver_max_rows)

    def publish(self, run: RunResult, vault_root: Path) -> None:
        """After the commit: each exception set also at its vault path under the shared root
        (``run.exceptions_root``), where executors and ``kansa verify`` find it."""
        if run.exceptions_root is None:
            return
        for o in run.outcomes:
            if o.exceptions_file is not None:
                source = vault_root / o.exceptions_file
                publish_copy(self._spark, run.exceptions_root, o.exceptions_file, source)

    def close(self) -> None:
        """Drop this run's temporary views and its staging folder on the shared root; the
        process's SparkSession stays for the next run."""
        for table in self._spark.catalog.listTables():
            if table.isTemporary:
                self._spark.catalog.dropTempView(table.name)
        if self._shared_staging is not None:
            remove_folder(self._spark, self._shared_staging)
