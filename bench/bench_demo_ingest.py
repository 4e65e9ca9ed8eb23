"""Benchmark: the demo's day-by-day ingest (``kansa demo --days N``), the part after generation.

``kansa demo --days 365`` at 100,000 customers took about an hour, nearly all of it loading:
one :func:`kansa.ingest.ingest_file` per dated dataset and day, each one ledger entry. This
generates the demo once (untimed), then loads it into a fresh workspace exactly as
``kansa demo`` does (:func:`kansa.demo.ingest_step.ingest_demo`) and prints the wall and CPU
seconds of the loads, the number of ingests, and the seconds per ingest in the first and the
last tenth of them (an ingest that grows slower with the length of the ledger shows there).
CPU seconds are the measure to compare on a shared machine; wall seconds include waiting.

    .venv/bin/python bench/bench_demo_ingest.py --customers 20000 --days 60
    .venv/bin/python bench/bench_demo_ingest.py --customers 20000 --days 60 --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()

    import kansa.demo.ingest_step as step
    from kansa.demo import DemoParams, generate
    from kansa.demo.sanctions import default_ofac_dir
    from kansa.workspace import create_workspace

    tmp = Path(tempfile.mkdtemp(prefix="kansa-demo-ingest-"))
    try:
        ws = create_workspace(tmp / "ws", name="bench")
        params = DemoParams(customers=args.customers, days=args.days, seed=args.seed)
        result = generate(params, ws.root / "demo" / "source", ofac_dir=default_ofac_dir())
        seconds: list[float] = []
        load = step._load

        def timed(ws_: object, one: object) -> str:
            began = time.perf_counter()
            try:
                return load(ws_, one)  # type: ignore[arg-type]
            finally:
                seconds.append(time.perf_counter() - began)

        step._load = timed  # type: ignore[assignment]
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        step.ingest_demo(ws, result)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tenth = max(1, len(seconds) // 10)
        print(
            json.dumps(
                {
                    "customers": args.customers,
                    "days": args.days,
                    "ingests": len(seconds),
                    "wall_seconds": round(wall, 1),
                    "cpu_seconds": round(cpu, 1),
                    "first_tenth_ms_per_ingest": round(1000 * sum(seconds[:tenth]) / tenth, 1),
                    "last_tenth_ms_per_ingest": round(1000 * sum(seconds[-tenth:]) / tenth, 1),
                }
            )
        )
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
