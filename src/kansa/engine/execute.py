"""Running one control on a cursor of the sandboxed connection.

SQL controls: the population query is counted, the test query is copied straight from DuckDB
to Parquet (rows never pass through Python, so millions of exceptions cost no memory here).
Python-logic controls get the cursor and return ``(population_count, pyarrow.Table)``.
Whatever goes wrong becomes an ``error`` outcome carrying the message; it never propagates.

A SQL control may read only the datasets and shared views it declares (the guard is given
those, not every dataset of the vault). Before DuckDB runs anything, DuckDB's own parser must
also see exactly one statement of the expected type in what the engine is about to execute
(the control's SELECT wrapped in the engine's COPY to its planned output): were SQLGlot and
DuckDB ever to read the text differently, a second statement could not ride along.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from kansa.controls import Control, render_sql
from kansa.controls.render import set_tz_variable
from kansa.engine.guard import check_query
from kansa.engine.result import ERROR, FAIL, PASS, ControlOutcome
from kansa.engine.sandbox import ENGINE_NAME
from kansa.vault import Snapshot

_MAX_ERROR = 2000


@dataclass(frozen=True)
class Job:
    """Everything one control needs for this run."""

    control: Control
    parameters: dict[str, Any]
    as_of: dt.date
    output: Path
    tz: str = "UTC"  # the workspace's zone: where the business day begins ({{ tz }})

    @property
    def values(self) -> dict[str, Any]:
        """What the control's placeholders are filled with: its parameters, the day, the zone."""
        return {**self.parameters, "as_of": self.as_of, "tz": self.tz}


class ControlFailure(Exception):
    """The control could not produce a verdict (bad SQL, missing data, wrong output)."""


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def one_statement(cur: duckdb.DuckDBPyConnection, sql: str, kind: str) -> str:
    """``sql`` if DuckDB's parser reads it as exactly one statement of type ``kind``."""
    statements = cur.extract_statements(sql)
    types = [s.type.name for s in statements]
    if types != [kind]:
        raise ControlFailure(f"DuckDB reads {types or 'no statement'}, expected one {kind}")
    return sql


def _run_sql(
    cur: duckdb.DuckDBPyConnection,
    job: Job,
    datasets: Collection[str],
    known: Collection[str],
    views: Mapping[str, Collection[str]],
) -> tuple[int | None, int, set[str]]:
    control = job.control
    assert control.test_sql is not None
    values = job.values
    test_sql = render_sql(control.test_sql, values)
    read = set(check_query(test_sql, datasets, known, views))
    population: int | None = None
    if control.population_sql:
        pop_sql = render_sql(control.population_sql, values)
        read |= check_query(pop_sql, datasets, known, views)
        one_statement(cur, pop_sql, "SELECT")
        count_sql = one_statement(cur, f"SELECT count(*) FROM (\n{pop_sql}\n) AS p", "SELECT")
        ((count,),) = cur.execute(count_sql).fetchall()
        population = int(count)
    one_statement(cur, test_sql, "SELECT")
    copy = f"COPY (\n{test_sql}\n) TO {_quote(job.output)} (FORMAT parquet, USE_TMP_FILE false)"
    ((written,),) = cur.execute(one_statement(cur, copy, "COPY")).fetchall()
    return population, int(written), read


def load_logic(spec: str) -> Any:
    """Import ``package.module:function`` (a Python-logic control)."""
    module_name, _, func = spec.partition(":")
    return getattr(importlib.import_module(module_name), func)


def run_logic(cur: duckdb.DuckDBPyConnection, job: Job) -> tuple[int | None, int]:
    assert job.control.logic is not None
    set_tz_variable(cur, job.tz)
    population, table = load_logic(job.control.logic)(cur, dict(job.parameters), job.as_of)
    if not isinstance(table, pa.Table):
        raise ControlFailure(f"{job.control.logic} must return a pyarrow.Table of failing rows")
    pq.write_table(table, job.output)
    return (None if population is None else int(population)), table.num_rows


def check_keys(job: Job) -> None:
    columns = set(pq.read_schema(job.output).names)
    missing = [k for k in job.control.key if k not in columns]
    if missing:
        raise ControlFailure(f"the test returns no key column(s) {missing}")


def first_lines(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= _MAX_ERROR else text[:_MAX_ERROR] + " ..."


def execute(
    cur: duckdb.DuckDBPyConnection,
    job: Job,
    snapshots: Mapping[str, Snapshot],
    known: Collection[str],
    views: Mapping[str, Collection[str]] | None = None,
    engine: str = ENGINE_NAME,
) -> ControlOutcome:
    """Run ``job`` and describe what happened; errors are captured, never raised.

    ``engine``: what the outcome records as having run it (a Spark run's Python-logic controls
    run here on the driver, see :mod:`kansa.engine.spark.driver`)."""
    control = job.control
    started = time.perf_counter()
    read = {d for d in control.datasets if d in snapshots}
    population = exceptions = None
    error = None
    try:
        missing = [d for d in control.datasets if d not in snapshots]
        if missing:
            raise ControlFailure(f"dataset(s) {missing} have no snapshot in the vault")
        if control.logic:
            population, exceptions = run_logic(cur, job)
        else:
            declared = [d for d in control.datasets if d in snapshots]
            shared = {v: d for v, d in (views or {}).items() if v in control.views}
            population, exceptions, found = _run_sql(cur, job, declared, known, shared)
            read |= found
        check_keys(job)
    except Exception as exc:  # a control's failure to run is a verdict, never a crash
        error = first_lines(exc)
    return outcome(job, snapshots, read, started, population, exceptions, error, engine)


def outcome(
    job: Job,
    snapshots: Mapping[str, Snapshot],
    read: Collection[str],
    started: float,
    population: int | None,
    exceptions: int | None,
    error: str | None,
    engine: str,
) -> ControlOutcome:
    """The outcome of ``job`` from what running it gave (any engine)."""
    control = job.control
    status = ERROR if error else (FAIL if exceptions else PASS)
    return ControlOutcome(
        control_id=control.id,
        version=control.version,
        version_hash=control.version_hash,
        severity=control.severity,
        area=control.area,
        owner=control.owner,
        key=control.key,
        parameters=dict(job.parameters),
        snapshots={d: snapshots[d].sha256 for d in sorted(read)},
        engine=engine,
        status=status,
        population_count=population,
        exception_count=None if error else exceptions,
        duration_s=round(time.perf_counter() - started, 6),
        error=error,
        staged=None if error else job.output,
    )
