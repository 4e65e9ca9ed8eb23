"""Benchmark: the full control catalog over a demo exchange, through the engine and directly.

The engine run is the real thing (SQL guard, locked read-only DuckDB, exception Parquet,
one vault ledger entry, app-database summary, findings). The direct run executes the very same
rendered queries on a plain DuckDB connection with the same views, memory limit, threads and
number of workers, doing the same work per control (count the population, COPY the exception
rows to Parquet), with no guard, no lock-down, no vault and no database. The ratio of the two is
the engine's overhead.

    .venv/bin/python bench/bench_engine.py                       # 1,000,000 customers, 30 days
    .venv/bin/python bench/bench_engine.py --customers 20000 --workspace-dir /tmp/kansa-bench-20k

The demo workspace is generated with ``kansa demo`` the first time (kept for later runs;
``--regenerate`` makes it again). Goal (issue 3): the full catalog in under 60 s at 1M x 30.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kansa.appdb import Database
from kansa.controls import Control, load_catalog, render_sql
from kansa.controls.render import set_tz_variable
from kansa.controls.views import builtin_views, create_views
from kansa.engine import RunResult, run_controls
from kansa.engine.execute import load_logic
from kansa.engine.sandbox import available_views
from kansa.engine.snapshot_view import snapshot_select
from kansa.engine.truth import score_run
from kansa.findings import apply_run
from kansa.vault import Snapshot, Vault
from kansa.workspace import Workspace, find_workspace

GOAL_SECONDS = 60.0


@dataclass(frozen=True)
class Direct:
    control_id: str
    seconds: float
    exceptions: int | None
    error: str | None


def ensure_demo(args: argparse.Namespace) -> Workspace:
    folder: Path = args.workspace_dir
    if args.regenerate and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "kansa.toml").exists():
        cmd = [sys.executable, "-m", "kansa.cli.app", "demo", "--customers", str(args.customers),
               "--days", str(args.days), "--seed", str(args.seed), "--workspace-dir", str(folder)]  # fmt: skip
        print("generating:", " ".join(cmd[2:]), flush=True)
        started = time.perf_counter()
        done = subprocess.run(cmd)
        if done.returncode != 0:
            sys.exit(f"`kansa demo` failed or is not available yet (exit {done.returncode})")
        print(f"demo generated in {time.perf_counter() - started:.1f} s", flush=True)
    return find_workspace(folder)


def plain_connection(
    ws: Workspace, snapshots: dict[str, Snapshot], as_of: dt.date
) -> duckdb.DuckDBPyConnection:
    """Same views (shared ones too), memory limit, threads and time zone as the engine; no
    lock-down."""
    con = duckdb.connect(config={"memory_limit": ws.config.memory_limit})
    if ws.config.threads:
        con.execute(f"SET threads = {ws.config.threads}")
    con.execute("SET TimeZone = 'UTC'")
    for name, snap in snapshots.items():
        select = snapshot_select(con, name, [f for f, _ in snap.files])  # a dated one: its days
        con.execute(f'CREATE VIEW "{name}" AS {select}')
    shared = builtin_views()
    usable = [shared[n] for n in available_views(shared, snapshots)]
    create_views(con, usable, as_of, tz=ws.config.day_zone)
    return con


def direct_one(
    con: duckdb.DuckDBPyConnection, c: Control, as_of: dt.date, out: Path, params: dict, tz: str
) -> Direct:
    cur = con.cursor()
    started = time.perf_counter()
    try:
        set_tz_variable(cur, tz)
        if c.logic:
            _, table = load_logic(c.logic)(cur, dict(params), as_of)
            exceptions = table.num_rows
        else:
            values = {**params, "as_of": as_of, "tz": tz}
            assert c.test_sql is not None
            if c.population_sql:
                pop = render_sql(c.population_sql, values)
                cur.execute(f"SELECT count(*) FROM (\n{pop}\n) p").fetchall()
            test = render_sql(c.test_sql, values)
            ((exceptions,),) = cur.execute(
                f"COPY (\n{test}\n) TO '{out / (c.id + '.parquet')}' (FORMAT parquet)"
            ).fetchall()
        return Direct(c.id, time.perf_counter() - started, int(exceptions), None)
    except Exception as exc:
        return Direct(c.id, time.perf_counter() - started, None, str(exc).splitlines()[0])
    finally:
        cur.close()


def direct_run(ws: Workspace, controls: list[Control], engine_run: RunResult, workers: int):
    snapshots = Vault(ws.vault_dir).latest_all()
    con = plain_connection(ws, snapshots, engine_run.as_of)
    params = {o.control_id: o.parameters for o in engine_run.outcomes}
    out = Path(tempfile.mkdtemp(prefix="kansa-bench-direct-"))
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(
                pool.map(
                    lambda c: direct_one(
                        con, c, engine_run.as_of, out, params[c.id], ws.config.day_zone
                    ),
                    controls,
                )
            )
        return time.perf_counter() - started, results
    finally:
        con.close()
        shutil.rmtree(out, ignore_errors=True)


def warm_up(ws: Workspace) -> None:
    """Read every snapshot once so neither side pays the cold page cache alone."""
    con = duckdb.connect()
    for snap in Vault(ws.vault_dir).latest_all().values():
        files = ", ".join(f"'{f}'" for f, _ in snap.files)
        con.execute(f"SELECT count(*) FROM read_parquet([{files}])").fetchall()
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--workspace-dir", type=Path, default=None)
    ap.add_argument("--regenerate", action="store_true")
    args = ap.parse_args()
    if args.workspace_dir is None:
        args.workspace_dir = (
            Path(tempfile.gettempdir()) / f"kansa-bench-{args.customers}x{args.days}"
        )
    ws = ensure_demo(args)
    snaps = Vault(ws.vault_dir).latest_all()
    rows = sum(s.rows for s in snaps.values())
    print(f"workspace {ws.root}: {len(snaps)} datasets, {rows:,} rows", flush=True)
    controls = list(load_catalog([ws.resolve(p) for p in ws.config.control_paths]).values())
    warm_up(ws)

    started = time.perf_counter()
    run = run_controls(ws, controls, progress=False, workers=args.workers)
    executed = time.perf_counter() - started
    with Database(ws.database_url) as db:
        apply_run(db, run.run_id, {c.id: c.owner for c in controls})
    engine_total = time.perf_counter() - started
    direct_total, direct = direct_run(ws, controls, run, args.workers)

    print(
        f"\ncontrols: {len(controls)}  pass {run.passed}  fail {run.failed}  error {run.errored}"
        f"  not tested {run.not_tested}  incomplete {run.incomplete}"
    )
    for o in run.outcomes:
        if o.error:
            print(f"  ERROR {o.control_id}: {o.error[:160]}")
    mismatched = [
        (o.control_id, o.exception_count, d.exceptions)
        for o, d in zip(run.outcomes, direct, strict=True)
        if o.exception_count != d.exceptions
    ]
    print(f"verdicts equal to direct DuckDB: {not mismatched} {mismatched[:5]}")
    slow = sorted(zip(run.outcomes, direct, strict=True), key=lambda p: -p[0].duration_s)[:8]
    print("\nslowest controls      engine s   direct s")
    for o, d in slow:
        print(f"  {o.control_id:<18} {o.duration_s:9.2f} {d.seconds:10.2f}")
    print(f"\nengine run (execute + commit + app DB): {executed:7.2f} s")
    print(f"engine run + findings:                  {engine_total:7.2f} s")
    print(f"same queries directly in DuckDB:        {direct_total:7.2f} s")
    print(f"overhead ratio engine/direct:           {engine_total / direct_total:7.2f}x")
    verdict = "MET" if engine_total < GOAL_SECONDS else "MISSED"
    print(f"goal < {GOAL_SECONDS:.0f} s: {verdict}")
    score = score_run(ws, run)
    if score:
        print(f"ground truth: precision {score.precision:.4f} recall {score.recall:.4f}")


if __name__ == "__main__":
    main()
