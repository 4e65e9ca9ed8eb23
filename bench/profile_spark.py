"""Profile of one Spark run of the whole catalog: where the time goes, phase by phase.

The run is the real engine (:class:`kansa.engine.spark.runner.SparkRun`) on a workspace's latest
snapshots, one control at a time (``--workers 1``, so each control's time is its own), with
the phases timed from outside by wrapping the session's methods: the JVM's start, the
registration of the snapshots and shared views, and for each control its population count,
its exception write, and (logic controls) reading its inputs onto the driver.

    nice -n 10 .venv/bin/python bench/profile_spark.py -w /work/spark-ws

Nothing is committed to the vault or the app database: the staging folder is a temporary one.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kansa.controls import load_catalog
from kansa.controls.views import builtin_views
from kansa.engine import parameters as params
from kansa.engine.execute import Job
from kansa.engine.spark import driver as spark_driver
from kansa.engine.spark import runner as spark_runner
from kansa.engine.spark.session import spark_session
from kansa.engine.watchdog import Watchdog
from kansa.vault import Vault
from kansa.workspace import find_workspace

PHASES: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
CURRENT: list[str] = [""]


def _timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            PHASES[CURRENT[0]][phase] += time.perf_counter() - t

    return wrapper


def _instrument() -> None:
    run = spark_runner.SparkRun
    run._write = _timed("write", run._write)  # type: ignore[method-assign]
    run._spark_query = _timed("guard+transpile", run._spark_query)  # type: ignore[method-assign]
    for name in ("population", "exceptions"):
        if hasattr(run, f"_{name}"):
            setattr(run, f"_{name}", _timed(name, getattr(run, f"_{name}")))
    spark_driver.collect_arrow = _timed("driver collect", spark_driver.collect_arrow)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-w", "--workspace", type=Path, required=True)
    ap.add_argument("--controls", default="", help="comma-separated ids (default: all)")
    ap.add_argument("--out", type=Path, help="write the profile as JSON here")
    args = ap.parse_args()
    ws = find_workspace(args.workspace)
    _instrument()
    t0 = time.perf_counter()
    spark_session(ws.config.spark)
    jvm = time.perf_counter() - t0
    snapshots = Vault(ws.vault_dir).latest_all()
    catalog = load_catalog()
    chosen = [c for c in sorted(catalog.values(), key=lambda c: c.id)]
    if args.controls:
        wanted = set(args.controls.split(","))
        chosen = [c for c in chosen if c.id in wanted]
    staging = Path(tempfile.mkdtemp(prefix="kansa-prof-"))
    t0 = time.perf_counter()
    session = spark_runner.SparkRun(ws, staging, snapshots, [], builtin_views(), None)
    register = time.perf_counter() - t0
    rows = []
    total0 = time.perf_counter()
    for c in chosen:
        job = Job(
            c,
            params.resolve(c, None, None),
            session.as_of,
            staging / f"{c.id}.parquet",
            ws.config.day_zone,
        )
        CURRENT[0] = c.id
        t = time.perf_counter()
        outcome, _ = session.run(job, Watchdog(None))
        rows.append(
            {
                "control": c.id,
                "seconds": time.perf_counter() - t,
                "status": outcome.status,
                "logic": bool(c.logic),
                **{k: round(v, 3) for k, v in PHASES[c.id].items()},
            }
        )
    controls_s = time.perf_counter() - total0
    session.close()
    rows.sort(key=lambda r: -r["seconds"])
    print(
        f"JVM start {jvm:.1f} s; registration (snapshots, shared views, as-of) {register:.1f} s;"
        f" controls {controls_s:.1f} s ({len(rows)})"
    )
    for phase in ("guard+transpile", "write", "driver collect"):
        s = sum(PHASES[c][phase] for c in PHASES)
        print(f"  {phase}: {s:.1f} s")
    logic = sum(r["seconds"] for r in rows if r["logic"])
    print(f"  logic controls: {logic:.1f} s")
    for r in rows:
        extra = " ".join(
            f"{k}={v}" for k, v in r.items() if k not in ("control", "seconds", "status", "logic")
        )
        print(f"{r['control']:10} {r['seconds']:7.2f} s {r['status']:10} {extra}")
    if args.out:
        args.out.write_text(
            json.dumps(
                {"jvm_s": jvm, "register_s": register, "controls_s": controls_s, "controls": rows},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
