"""Benford and stratification over up to 10^8 rows: Kansa (DuckDB SQL) beside pandas.

Usage::

    .venv/bin/python bench/bench_analytics.py                      # 10^8 rows, pandas up to 10^7
    .venv/bin/python bench/bench_analytics.py --rows 10000000 --pandas-rows 1000000,10000000

Each measurement runs in its own process, which reports its own peak resident memory. The data: one DECIMAL(38,0) ``amount`` column (wei-like, 10 to 10^25, beyond 64 bits,
log-uniform so Benford-distributed), generated once per size by DuckDB into ``--dir``.
pandas (not a Kansa dependency; ``pip install pandas`` into the venv) reads the same Parquet
with the pyarrow backend, so the decimals stay exact, and does the same work; both must give the
same counts, else the bench fails. Prints seconds, peak memory and the pandas/Kansa ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

TASKS = ("benford-first", "benford-first-two", "stratify-10")


def generate(path: Path, rows: int) -> None:
    import duckdb

    if path.exists():
        return
    con = duckdb.connect(config={"memory_limit": "2GB"})
    con.execute("SET enable_progress_bar = false")
    # deterministic: a hash of the row number picks the exponent, so every run has the same data
    con.execute(
        f"COPY (SELECT CAST(floor(pow(10, 1 + 24 * ((hash(i) % 1000000007) / 1000000007.0))) "
        f"AS DECIMAL(38,0)) AS amount FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet)"
    )
    con.close()


def kansa_task(task: str, path: Path, memory_limit: str) -> dict[str, Any]:
    from kansa.analytics.benford import run_benford
    from kansa.analytics.population import attach, connect
    from kansa.analytics.stratify import run_stratify
    from kansa.vault import Snapshot

    con = connect(memory_limit, None, path.parent / "spill")
    pop = attach(con, Snapshot("bench", "-", path, 0, "", 0, "", {}))
    t = time.perf_counter()
    if task == "stratify-10":
        a = run_stratify(pop, "amount", bands=10)
        result = [r[3] for r in a.table("strata").rows]
    else:
        a = run_benford(pop, "amount", task.removeprefix("benford-"), limit=100)
        result = [r[1] for r in a.table("digits").rows]
    return {"seconds": time.perf_counter() - t, "result": result}


def pandas_task(task: str, path: Path) -> dict[str, Any]:
    import pandas as pd

    t = time.perf_counter()
    s = pd.read_parquet(path, columns=["amount"], dtype_backend="pyarrow")["amount"]
    if task == "stratify-10":
        lo, hi = int(s.min()), int(s.max())
        width = -(-(hi - lo + 1) // 10)
        band = pd.Series(0, index=s.index)
        for i in range(1, 10):
            band += (s >= Decimal(lo + i * width)).astype(int)
        counts = band.groupby(band).size()
        s.groupby(band).sum()  # the totals, as Kansa computes them
        result = [int(counts.get(i, 0)) for i in range(10)]
    else:
        text = s[s >= 10].astype("string[pyarrow]")
        k = 1 if task == "benford-first" else 2
        digits = text.str[:k].astype(int).value_counts()
        keys = range(1, 10) if k == 1 else range(10, 100)
        result = [int(digits.get(d, 0)) for d in keys]
    return {"seconds": time.perf_counter() - t, "result": result}


def measure(engine: str, task: str, path: Path, memory_limit: str) -> dict[str, Any]:
    """Run one task in a child process, which reports its own peak RSS (getrusage)."""
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        engine,
        "--task",
        task,
        "--file",
        str(path),
        "--memory-limit",
        memory_limit,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"killed (exit {proc.returncode})"])[-1]
        return {"failed": reason, "peak_mb": _peak_from(proc.stderr)}
    return {**json.loads(proc.stdout), "peak_mb": _peak_from(proc.stderr)}


def _peak_from(err: str) -> float:
    for line in err.splitlines():
        if line.startswith("PEAK_MB "):
            return float(line.split()[1])
    return 0.0


def worker(args: argparse.Namespace) -> None:
    import resource

    path = Path(args.file)
    res = (
        kansa_task(args.task, path, args.memory_limit)
        if args.worker == "kansa"
        else pandas_task(args.task, path)
    )
    print(json.dumps(res))
    print(
        f"PEAK_MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=100_000_000, help="largest size, run by Kansa")
    ap.add_argument(
        "--pandas-rows", default="1000000,10000000", help="sizes run by both (comma-separated)"
    )
    ap.add_argument("--dir", default="/tmp/kansa-bench-analytics")
    ap.add_argument(
        "--memory-limit", default="2GB", help="DuckDB memory_limit (the workspace default)"
    )
    ap.add_argument("--worker", choices=["kansa", "pandas"])
    ap.add_argument("--task", choices=TASKS)
    ap.add_argument("--file")
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    folder = Path(args.dir)
    (folder / "spill").mkdir(parents=True, exist_ok=True)
    both = [int(x) for x in args.pandas_rows.split(",") if x]
    sizes = sorted({*both, args.rows})
    print(
        f"{'rows':>12} {'task':<18} {'kansa s':>8} {'kansa MB':>9} {'pandas s':>9} {'pandas MB':>10} {'ratio':>7}"
    )
    for rows in sizes:
        path = folder / f"amount-{rows}.parquet"
        generate(path, rows)
        for task in TASKS:
            k = measure("kansa", task, path, args.memory_limit)
            p = measure("pandas", task, path, args.memory_limit) if rows in both else None
            line = f"{rows:>12,} {task:<18} {k.get('seconds', float('nan')):>8.2f} {k['peak_mb']:>9.0f}"
            if p is None:
                line += f" {'-':>9} {'-':>10} {'-':>7}"
            elif "failed" in p:
                line += f" {'failed':>9} {p['peak_mb']:>10.0f} {'-':>7}  ({p['failed']})"
            else:
                if p["result"] != k["result"]:
                    raise SystemExit(
                        f"results differ for {task} at {rows} rows: {k['result']} vs {p['result']}"
                    )
                line += f" {p['seconds']:>9.2f} {p['peak_mb']:>10.0f} {p['seconds'] / k['seconds']:>6.1f}x"
            print(line, flush=True)


if __name__ == "__main__":
    main()
