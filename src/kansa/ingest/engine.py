"""The DuckDB session an ingest runs in: memory capped, spilling only into its staging folder.

The memory cap comes from ``[workspace] memory_limit`` so that a file far larger than RAM is
streamed (DuckDB spills aggregates to ``temp_directory``). Time zone is UTC, so that naive
values are never silently read in the machine's local zone. Long queries run in a worker thread
while the caller polls ``query_progress()`` for the progress bar.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb

from kansa.ingest.progress import Reporter
from kansa.workspace import Workspace

POLL_SECONDS = 0.1


def connect(ws: Workspace, staging: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the workspace's limits; temp files stay inside ``staging``."""
    temp = staging / "duckdb-tmp"
    temp.mkdir(exist_ok=True)
    config: dict[str, Any] = {
        "memory_limit": ws.config.memory_limit,
        "temp_directory": str(temp),
        "preserve_insertion_order": True,
        "enable_external_access": True,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
    }
    if ws.config.threads:
        config["threads"] = ws.config.threads
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    con.execute("SET progress_bar_time = 0")
    return con


def run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    reporter: Reporter | None = None,
    params: list[Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Execute ``sql`` and fetch all rows, feeding DuckDB's progress into ``reporter``."""
    if reporter is None or not reporter.enabled:
        try:
            return con.execute(sql, params or []).fetchall()
        except RuntimeError as exc:
            raise _interrupt_or(exc) from None
    box: dict[str, Any] = {}
    done = threading.Event()  # not Thread.join: a join cut by Ctrl-C can report a live thread dead

    def work() -> None:
        try:
            box["rows"] = con.execute(sql, params or []).fetchall()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, daemon=True).start()
    try:
        while not done.wait(POLL_SECONDS):
            pct = con.query_progress()
            if pct >= 0:
                reporter.update(pct)
    except KeyboardInterrupt:
        con.interrupt()  # Ctrl-C lands here, not in the worker: stop its query too
        done.wait()
        raise
    if "error" in box:
        raise _interrupt_or(box["error"])
    rows: list[tuple[Any, ...]] = box["rows"]
    return rows


def _interrupt_or(exc: BaseException) -> BaseException:
    """DuckDB reports a query stopped by Ctrl-C as ``RuntimeError('Query interrupted')``;
    give it back to the CLI as the KeyboardInterrupt it is."""
    if isinstance(exc, RuntimeError) and str(exc) == "Query interrupted":
        return KeyboardInterrupt()
    return exc


def quote_ident(name: str) -> str:
    """A DuckDB identifier, whatever characters the user's header holds."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
