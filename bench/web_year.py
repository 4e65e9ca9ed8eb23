"""The full-scale fixture of the web benchmark: a year of daily runs of the 100,000-customer demo.

    nice -n 10 .venv/bin/python bench/web_year.py /work/webperf-data/year

``kansa demo`` makes at most 60 days, so the year is loaded as seven consecutive demo periods
(53 + 6 x 52 = 365 days from ``--start``) into one workspace, each day ingested as its own
daily file (the demo's day-by-day load). Then every day gets its own run, as a team that runs
the catalog each morning would: the whole catalog with that day as both the first day of the
tested period and the as-of day (``kansa run --from DAY --as-of DAY``), through the same
functions as the CLI (:func:`kansa.engine.run_controls` then
:func:`kansa.findings.reconcile.store_run`, in this process to spare 365 interpreter starts).
Each run is committed to the vault with its exception files and moves the findings, exactly as
``kansa run`` does. DuckDB's memory is capped by the workspace's ``memory_limit`` (2 GB).

Resumable: a period already loaded is skipped (a marker file beside the workspace), and a day
already run is skipped (checked before each day). ``--runs-only`` runs while another process
loads, waiting for each day's period; ``--first-run-day`` lets a second process take the
year's second half at the same time (its runs are real daily runs, recorded in wall-clock
order across the two). Prints how long each stage and each run took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from kansa.appdb import Database, Run
from kansa.controls import load_catalog
from kansa.engine import run_controls
from kansa.findings import configured_scopes
from kansa.findings.reconcile import store_run
from kansa.workspace import Workspace, find_workspace

KANSA = [sys.executable, "-c", "from kansa.cli.app import main; main()"]
PERIODS = (53, 52, 52, 52, 52, 52, 52)


def load_periods(root: Path, customers: int, start: dt.date) -> None:
    """The demo, period after period, into ``root`` (one marker file per loaded period)."""
    first = start
    for days in PERIODS:
        marker = root.parent / f"{root.name}.loaded-{first}"
        if not marker.exists():
            t0 = time.perf_counter()
            subprocess.run([*KANSA, "demo", "--customers", str(customers), "--days", str(days),
                            "--start", str(first), "--workspace-dir", str(root)],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            marker.write_text(f"{time.perf_counter() - t0:.1f}\n")
            print(f"loaded {days} days from {first} in {marker.read_text().strip()} s", flush=True)
        first += dt.timedelta(days=days)


def _loaded_through(root: Path, start: dt.date) -> dt.date:
    """The last day of the last period loaded without a gap (the day before ``start`` if none)."""
    last = start - dt.timedelta(days=1)
    for days in PERIODS:
        if not (root.parent / f"{root.name}.loaded-{last + dt.timedelta(days=1)}").exists():
            break
        last += dt.timedelta(days=days)
    return last


def _already_run(ws: Workspace, day: dt.date) -> bool:
    with Database(ws.database_url) as db, db.session() as s:
        return s.scalars(select(Run.id).where(Run.as_of == day)).first() is not None


def run_days(root: Path, start: dt.date, days: int, first: dt.date | None = None) -> None:
    """One whole-catalog run per day, oldest first; days already run are skipped; a day whose
    period is still being loaded (by another process) is waited for."""
    ws = find_workspace(root)
    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    scopes = configured_scopes(ws.config.raw, catalog)
    for i in range(days):
        day = start + dt.timedelta(days=i)
        if first is not None and day < first:
            continue
        while _loaded_through(root, start) < day:
            time.sleep(10)
        if _already_run(ws, day):
            continue
        t0 = time.perf_counter()
        result = run_controls(ws, catalog.values(), as_of=day, period_start=day, progress=False,
                              timeout=ws.config.run_timeout, record=False)  # fmt: skip
        with Database(ws.database_url) as db:
            store_run(db, result, scopes=scopes, vault_dir=ws.vault_dir)
        print(f"{day}: run {result.run_id} in {time.perf_counter() - t0:.1f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("root", type=Path, help="workspace folder (outside the repository)")
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    ap.add_argument(
        "--runs-only",
        action="store_true",
        help="only the runs (while another process loads the periods)",
    )
    ap.add_argument(
        "--first-run-day",
        type=dt.date.fromisoformat,
        default=None,
        help="run the days from this one (a second process can take the year's end)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    if not args.runs_only:
        load_periods(args.root, args.customers, args.start)
    t1 = time.perf_counter()
    run_days(args.root, args.start, sum(PERIODS), args.first_run_day)
    t2 = time.perf_counter()
    summary = {"load_s": round(t1 - t0, 1), "runs_s": round(t2 - t1, 1)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
