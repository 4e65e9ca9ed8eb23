"""The second line of defence: a DuckDB connection that can read the snapshots and nothing else.

How it is built, and why in this order:

1. A small catalog file ``views.duckdb`` is written in the run's staging folder with one VIEW
   per dataset over that dataset's latest snapshot Parquet (absolute path). Then, with that
   writing connection already confined to the snapshot files (``allowed_paths``,
   ``enable_external_access=false``), the run's as-of date is settled and the catalog's shared
   views (``catalog/_views``) are created over the dataset views, in dependency order, each
   first passed through the SQL guard: a shared view can read no more than a control.
2. It is re-opened **read-only**, so no control can create, replace or drop anything in it.
3. ``allowed_paths`` is set to exactly the snapshot files plus the exception files the engine
   itself will write (one per control, known in advance), then ``enable_external_access=false``
   shuts every other file, network and extension access, then ``lock_configuration=true``
   freezes all settings (a control cannot ``SET`` its way back). DuckDB 2.0 checks allowed
   paths on reads and writes; COPY writes with ``USE_TMP_FILE false`` so only the final path
   is touched.

The session time zone is UTC whatever the machine's. The business day is the workspace's
(``[workspace] timezone``): SQL controls and shared views get it as ``{{ tz }}`` and write
``(ts at time zone {{ tz }})::date``; Python-logic controls read ``getvariable('kansa_tz')``
(:data:`kansa.controls.render.TZ_VARIABLE`). One boundary for every control.

Spilling to ``temp_directory`` (inside the staging folder) still works: DuckDB's own temp
files are not subject to the external-access check.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from kansa.controls.render import DEFAULT_TZ
from kansa.controls.views import SharedView, base_datasets, create_views, rendered
from kansa.engine.asof import default_as_of
from kansa.engine.guard import UnsafeQuery, check_query
from kansa.engine.snapshot_view import snapshot_select
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot

ENGINE_NAME = "duckdb " + duckdb.__version__


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_files(snapshots: Mapping[str, Snapshot]) -> list[str]:
    """Every Parquet file the snapshots' views read (a dated dataset: one per day)."""
    return sorted({str(path) for s in snapshots.values() for path, _ in s.files})


def confine_writer(con: duckdb.DuckDBPyConnection, snapshots: Mapping[str, Snapshot]) -> None:
    paths = snapshot_files(snapshots)
    con.execute("SET allowed_paths = [" + ", ".join(_quote_path(Path(p)) for p in paths) + "]")
    con.execute("SET enable_external_access = false")


def available_views(
    views: Mapping[str, SharedView], snapshots: Mapping[str, Snapshot]
) -> dict[str, frozenset[str]]:
    """Shared views whose every dataset has a snapshot, each with the datasets it reads."""
    out = {}
    for name in views:
        needs = base_datasets([name], views)
        if needs <= set(snapshots):
            out[name] = needs
    return out


def _create_shared(
    con: duckdb.DuckDBPyConnection,
    views: Mapping[str, SharedView],
    snapshots: Mapping[str, Snapshot],
    as_of: dt.date,
    tz: str,
) -> None:
    usable = available_views(views, snapshots)
    for name in usable:  # dependency order: each may read the datasets and views before it
        before = {n: usable[n] for n in views[name].depends if n in usable}
        own = [d for d in views[name].depends if d in snapshots]  # only what it declares
        try:
            check_query(rendered(views[name], as_of, tz), own, views=before)
        except UnsafeQuery as exc:
            raise KansaError(
                tr(
                    f"Shared view {name} is refused: {exc}",
                    f"共有ビュー {name} は拒否されました: {exc}",
                )
            ) from exc
    create_views(con, [views[n] for n in usable], as_of, replace=False, tz=tz)


def _write_views(
    catalog: Path,
    snapshots: Mapping[str, Snapshot],
    views: Mapping[str, SharedView],
    as_of: dt.date | None,
    tz: str,
) -> dt.date:
    con = duckdb.connect(str(catalog))
    try:
        for name, snap in sorted(snapshots.items()):
            select = snapshot_select(con, name, [path for path, _ in snap.files])
            con.execute(f"CREATE VIEW {_quote_ident(name)} AS {select}")
        confine_writer(con, snapshots)
        con.execute("SET TimeZone = 'UTC'")
        run_as_of = as_of or default_as_of(con, snapshots)
        _create_shared(con, views, snapshots, run_as_of, tz)
        return run_as_of
    finally:
        con.close()


def _half_the_free_disk(folder: Path) -> str:
    """The default spill cap. DuckDB's own default is 90% of the free disk: a runaway control
    could then fill the disk the vault and ledger write to. Half leaves room for them; a
    control that needs more fails alone (ERROR), and ``temp_limit`` in kansa.toml raises it."""
    return f"{shutil.disk_usage(folder).free // 2} bytes"


def open_sandbox(
    staging: Path,
    snapshots: Mapping[str, Snapshot],
    outputs: Iterable[Path],
    *,
    memory_limit: str,
    threads: int | None,
    temp_limit: str | None = None,
    views: Mapping[str, SharedView] | None = None,
    as_of: dt.date | None = None,
    tz: str = DEFAULT_TZ,
) -> tuple[duckdb.DuckDBPyConnection, dt.date]:
    """A locked, read-only connection with one view per dataset and the shared views.

    Returns it with the run's as-of date (``as_of``, else the latest day in the data), which
    the shared views were rendered with (see module docstring).
    """
    catalog = staging / "views.duckdb"
    run_as_of = _write_views(catalog, snapshots, views or {}, as_of, tz)
    temp = staging / "duckdb-temp"
    temp.mkdir(exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit,
        "temp_directory": str(temp),
        "max_temp_directory_size": temp_limit or _half_the_free_disk(temp),
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(str(catalog), read_only=True, config=config)
    allowed = sorted(set(snapshot_files(snapshots)) | {str(p) for p in outputs})
    con.execute(
        "SET allowed_paths = " + "[" + ", ".join(map(_quote_path, map(Path, allowed))) + "]"
    )
    con.execute("SET TimeZone = 'UTC'")  # contracts' times are UTC, never the machine's zone
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con, run_as_of
