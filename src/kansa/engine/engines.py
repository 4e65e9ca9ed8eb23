"""The engine boundary: what a run needs of DuckDB or Spark, and nothing more.

A run opens one :class:`EngineSession` over its snapshots (:func:`open_engine`), asks it to run
each control's :class:`~kansa.engine.execute.Job` (writing the exception rows to the job's
Parquet file in the run's staging folder) and closes it. Everything else (coverage, the time
limit's verdict, the vault commit, the ledger entry, the app database) is the runner's, the
same for every engine: later stages never need to know which engine ran.

Spark is imported only when asked for, so a DuckDB user never needs PySpark or Java.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Protocol

from kansa.controls.views import SharedView
from kansa.engine.execute import Job
from kansa.engine.result import ControlOutcome, RunResult
from kansa.engine.watchdog import Clock, Watchdog
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot
from kansa.workspace import Workspace

DUCKDB, SPARK = "duckdb", "spark"


class EngineSession(Protocol):
    """One run's read-only session on an engine.

    ``name``: what the run records (``duckdb 1.4.2``, ``spark 3.5.3``); ``as_of``: the run's
    as-of date (given, else the latest day in the data, settled when the session opened);
    ``exceptions_root``: the shared root where the run also leaves its exception sets.
    """

    name: str
    as_of: dt.date
    exceptions_root: str | None

    def run(self, job: Job, watchdog: Watchdog) -> tuple[ControlOutcome, Clock]:
        """Run one control under ``watchdog``; errors are in the outcome, never raised."""
        ...

    def publish(self, run: RunResult, vault_root: Path) -> None:
        """After the vault committed ``run``: copy its exception sets to
        ``exceptions_root`` (a shared root), if the engine has one."""
        ...

    def close(self) -> None: ...


def open_engine(
    engine: str,
    workspace: Workspace,
    staging: Path,
    snapshots: Mapping[str, Snapshot],
    outputs: Collection[Path],
    views: Mapping[str, SharedView],
    as_of: dt.date | None,
) -> EngineSession:
    """A session of ``engine`` (``duckdb`` or ``spark``) over ``snapshots`` for one run."""
    if engine == DUCKDB:
        from kansa.engine.duckdb_run import DuckDBRun

        return DuckDBRun(workspace, staging, snapshots, outputs, views, as_of)
    if engine == SPARK:
        try:
            from kansa.engine.spark.runner import SparkRun
        except ImportError as exc:
            raise KansaError(
                tr(
                    f"The Spark engine needs PySpark, which is not installed ({exc}).",
                    f"Spark エンジンには PySpark が必要ですが、インストールされていません（{exc}）。",
                ),
                hint=tr(
                    "pip install 'kansa[spark]' (and a Java 17 runtime)",
                    "pip install 'kansa[spark]'（と Java 17 実行環境）",
                ),
            ) from exc
        return SparkRun(workspace, staging, snapshots, outputs, views, as_of)
    raise KansaError(
        tr(f"No engine {engine!r}: use duckdb or spark.", f"エンジン {engine!r} はありません。"),
    )
