"""The second line of defence: a DuckDB connection that can read the snapshots and nothing else.

How it is built, and why in this order:

1. A small catalog file ``views.duckdb`` is written in the run's staging folder with one VIEW
   per dataset over that dataset's latest snapshot Parquet (absolute path).
2. It is re-opened **read-only**, so no control can create, replace or drop anything in it.
3. ``allowed_paths`` is set to exactly the snapshot files plus the exception files the engine
   itself will write (one per control, known in advance), then ``enable_external_access=false``
   shuts every other file, network and extension access, then ``lock_configuration=true``
   freezes all settings (a control cannot ``SET`` its way back). DuckDB 2.0 checks allowed
   paths on reads and writes; COPY writes with ``USE_TMP_FILE false`` so only the final path
   is touched.

The session time zone is UTC whatever the machine's, so a control that turns a timestamp into
a date gets the same day everywhere.

Spilling to ``temp_directory`` (inside the staging folder) still works: DuckDB's own temp
files are not subject to the external-access check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from kansa.vault import Snapshot

ENGINE_NAME = "duckdb " + duckdb.__version__


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write_views(catalog: Path, snapshots: Mapping[str, Snapshot]) -> None:
    con = duckdb.connect(str(catalog))
    try:
        for name, snap in sorted(snapshots.items()):
            con.execute(
                f"CREATE VIEW {_quote_ident(name)} AS "
                f"SELECT * FROM read_parquet({_quote_path(snap.path)})"
            )
    finally:
        con.close()


def open_sandbox(
    staging: Path,
    snapshots: Mapping[str, Snapshot],
    outputs: Iterable[Path],
    *,
    memory_limit: str,
    threads: int | None,
) -> duckdb.DuckDBPyConnection:
    """A locked, read-only connection with one view per dataset (see module docstring)."""
    catalog = staging / "views.duckdb"
    _write_views(catalog, snapshots)
    temp = staging / "duckdb-temp"
    temp.mkdir(exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit,
        "temp_directory": str(temp),
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(str(catalog), read_only=True, config=config)
    allowed = sorted({str(s.path) for s in snapshots.values()} | {str(p) for p in outputs})
    con.execute(
        "SET allowed_paths = " + "[" + ", ".join(map(_quote_path, map(Path, allowed))) + "]"
    )
    con.execute("SET TimeZone = 'UTC'")  # contracts' times are UTC, never the machine's zone
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con
