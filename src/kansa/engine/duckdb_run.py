"""The DuckDB engine: the sandboxed connection (:mod:`kansa.engine.sandbox`), a cursor per
control (DuckDB cursors are per-thread), the cursor handed to the watchdog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path

from kansa.contracts import load_contracts
from kansa.controls.views import SharedView
from kansa.engine.execute import Job, execute
from kansa.engine.result import ControlOutcome, RunResult
from kansa.engine.sandbox import ENGINE_NAME, available_views, open_sandbox
from kansa.engine.watchdog import Clock, Watchdog
from kansa.vault import Snapshot
from kansa.workspace import Workspace


class DuckDBRun:
    """One run's locked, read-only DuckDB session (an :class:`~kansa.engine.engines.EngineSession`)."""

    name = ENGINE_NAME
    exceptions_root: str | None = None  # exception sets live in the vault only

    def __init__(
        self,
        workspace: Workspace,
        staging: Path,
        snapshots: Mapping[str, Snapshot],
        outputs: Collection[Path],
        views: Mapping[str, SharedView],
        as_of: dt.date | None,
    ) -> None:
        self._con, self.as_of = open_sandbox(
            staging,
            snapshots,
            outputs,
            memory_limit=workspace.config.memory_limit,
            threads=workspace.config.threads,
            temp_limit=workspace.config.temp_limit,
            views=views,
            as_of=as_of,
            tz=workspace.config.day_zone,
        )
        self._snapshots = snapshots
        self._views = available_views(views, snapshots)
        self._known = set(load_contracts())

    def run(self, job: Job, watchdog: Watchdog) -> tuple[ControlOutcome, Clock]:
        cur = self._con.cursor()
        try:
            with watchdog.watch(cur) as clock:
                outcome = execute(cur, job, self._snapshots, self._known, self._views)
        finally:
            cur.close()
        return outcome, clock

    def publish(self, run: RunResult, vault_root: Path) -> None:
        """Nothing: a DuckDB run's exception sets are in the vault only."""

    def close(self) -> None:
        self._con.close()
