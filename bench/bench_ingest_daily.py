"""Benchmark: the demo's dated datasets loaded as daily files vs one bulk file each (issue 9).

The demo is generated once (``--customers`` x ``--days``, Parquet). Its seven dated datasets
(balances, withdrawals, approvals, signatures, logs) are then ingested into two fresh
workspaces, each in its own process (peak RSS its own):

* **bulk**: one ingest per dataset, the whole period in one file (split into day parts by
  the ingest itself);
* **daily**: the same rows cut into one file per dataset and day, as an exchange exports them,
  ingested day after day (``days x 7`` ingests, each one ledger entry adding its day).

Cutting the daily files is the exchange's work and is not timed. The goal: daily within 1.5x
of bulk. Reference tables are loaded (untimed) first in both, as ``kansa demo`` does.

    .venv/bin/python bench/bench_ingest_daily.py                               # 1M x 30
    .venv/bin/python bench/bench_ingest_daily.py --customers 100000 --days 30
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import datetime as dt, json, sys, time
from pathlib import Path
from kansa.ingest import ingest_file
from kansa.workspace import create_workspace
plan = json.loads(Path(sys.argv[2]).read_text())
ws = create_workspace(Path(sys.argv[1]), timezone="UTC")
for name, path in plan["reference"]:
    ingest_file(ws, name, path, progress=False)
t = time.perf_counter()
per: dict[str, float] = {}
for name, path, day in plan["dated"]:
    s = time.perf_counter()
    ingest_file(ws, name, path, progress=False, days=[dt.date.fromisoformat(day)] if day else None)
    per[name] = per.get(name, 0.0) + time.perf_counter() - s
print(json.dumps({"seconds": time.perf_counter() - t, "ingests": len(plan["dated"]),
                  "per_dataset": per}))
"""


def measured(cmd: list[str]) -> tuple[dict[str, object], float]:
    """Run ``cmd``; its JSON output and its peak RSS in MB (Linux ru_maxrss is KB)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def plans(folder: Path, customers: int, days: int) -> tuple[dict[str, list], dict[str, list], int]:
    """Generate the demo; the bulk and the daily load plans, and the dated rows."""
    from kansa.contracts import get_contract
    from kansa.demo import DemoParams, generate
    from kansa.demo.daily_files import split_by_day

    result = generate(DemoParams(customers=customers, days=days), folder / "files")
    dated = [n for n in result.files if get_contract(n).dated]
    reference = [[n, str(p)] for n, p in result.files.items() if n not in dated]
    period = _period(result.ground_truth)
    bulk = {"reference": reference, "dated": [[n, str(result.files[n]), None] for n in dated]}
    by_day: dict[str, list[list[str]]] = {}
    for name in dated:
        split = split_by_day(result.files[name], name, "parquet", "UTC", period, folder / "daily")
        for day, path in split.items():
            by_day.setdefault(day.isoformat(), []).append([name, str(path), day.isoformat()])
    daily = {"reference": reference, "dated": [x for d in sorted(by_day) for x in by_day[d]]}
    return bulk, daily, sum(result.rows[n] for n in dated)


def _period(truth: Path) -> list:
    import datetime as dt

    body = json.loads(truth.read_text(encoding="utf-8"))
    start = dt.date.fromisoformat(body["start"])
    return [start + dt.timedelta(n) for n in range(int(body["days"]))]


def run_child(folder: Path, mode: str, plan: dict[str, list]) -> dict[str, object]:
    plan_file = folder / f"{mode}.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    child = CHILD.replace("dict[str, float]", "dict")  # plain Python 3 in the child
    out, rss = measured([sys.executable, "-c", child, str(folder / f"ws-{mode}"), str(plan_file)])
    return {**out, "peak_rss_mb": rss}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--dir", type=Path, default=None, help="scratch folder (default: a temp dir)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        bulk_plan, daily_plan, rows = plans(folder, args.customers, args.days)
        print(
            f"demo generated and cut by day in {time.perf_counter() - began:.1f} s; "
            f"{rows:,} dated rows",
            flush=True,
        )
        bulk = run_child(folder, "bulk", bulk_plan)
        daily = run_child(folder, "daily", daily_plan)
        ratio = float(daily["seconds"]) / float(bulk["seconds"])  # type: ignore[arg-type]
        print(f"{'mode':>6} {'ingests':>8} {'seconds':>8} {'rows/s':>11} {'peak RSS MB':>12}")
        for mode, r in (("bulk", bulk), ("daily", daily)):
            secs = float(r["seconds"])  # type: ignore[arg-type]
            print(
                f"{mode:>6} {r['ingests']:>8} {secs:8.1f} {rows / secs:11,.0f} "
                f"{float(r['peak_rss_mb']):12.0f}"
            )  # type: ignore[arg-type]
        print(f"daily / bulk = {ratio:.2f} (goal <= 1.5)")
        print(
            json.dumps(
                {
                    "customers": args.customers,
                    "days": args.days,
                    "rows": rows,
                    "bulk": bulk,
                    "daily": daily,
                    "ratio": ratio,
                }
            ),
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
