"""Benchmark: demo-exchange generation rate (customers and rows per second, peak memory).

Each size runs in its own process (so peak memory is that size's own) and writes Parquet with
no ingest, as ``kansa demo --no-ingest`` does. Printed side by side: seconds, rows per second,
the time per million customers relative to the smallest size (1.00 = perfectly linear) and the
share of the 2-minute budget the issue sets for 1,000,000 customers x 30 days.

    .venv/bin/python bench/bench_demo.py                          # 100k and 1M customers, 30 days
    .venv/bin/python bench/bench_demo.py --sizes 1000000,10000000 # the scale run (needs ~25 GB disk)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 120.0  # issue 2: 1,000,000 customers x 30 days in under 2 minutes


def child(customers: int, days: int, seed: int, folder: Path) -> None:
    """Generate once and print the measurements as JSON (runs in a fresh process)."""
    from kansa.demo import DemoParams, generate
    from kansa.demo.sanctions import default_ofac_dir

    started = time.perf_counter()
    result = generate(
        DemoParams(customers=customers, days=days, seed=seed), folder, ofac_dir=default_ofac_dir()
    )
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.iterdir())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "customers": customers,
                "days": days,
                "seconds": seconds,
                "rows": sum(result.rows.values()),
                "balance_rows": result.rows["customer_balances"],
                "bytes": size,
                "peak_mib": peak_kib / 1024,
                "cpu_seconds": resource.getrusage(resource.RUSAGE_SELF).ru_utime
                + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
            }
        )
    )


def measure(customers: int, days: int, seed: int, keep: Path | None) -> dict[str, float]:
    folder = keep or Path(tempfile.mkdtemp(prefix=f"kansa-demo-{customers}-"))
    try:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(customers),
                "--days",
                str(days),
                "--seed",
                str(seed),
                "--out",
                str(folder),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000", help="customer counts, comma-separated")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help="keep the files here (one size only)")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.days, args.seed, args.out)
        return
    rows = [measure(int(n), args.days, args.seed, args.out) for n in args.sizes.split(",")]
    base = rows[0]["seconds"] / rows[0]["customers"]
    print(
        f"{'customers':>11} {'days':>4} {'seconds':>8} {'cpu s':>7} {'rows/s':>11} "
        f"{'balance rows':>13} {'GB':>6} {'peak MiB':>9} {'vs linear':>9} {'of budget':>9}"
    )
    for r in rows:
        per_customer = r["seconds"] / r["customers"]
        budget = r["seconds"] / (BUDGET_SECONDS * r["customers"] / 1_000_000 * r["days"] / 30)
        print(
            f"{r['customers']:>11,.0f} {r['days']:>4.0f} {r['seconds']:>8.1f} {r['cpu_seconds']:>7.1f} "
            f"{r['rows'] / r['seconds']:>11,.0f} {r['balance_rows']:>13,.0f} {r['bytes'] / 1e9:>6.2f} "
            f"{r['peak_mib']:>9.0f} {per_customer / base:>9.2f} {budget:>9.2f}"
        )


if __name__ == "__main__":
    main()
