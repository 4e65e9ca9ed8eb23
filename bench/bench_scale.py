"""Benchmark: the demo at scale (generate, load, whole catalog) on DuckDB and Spark, peak memory.

Each step is the real command in its own process, as a user types it: ``kansa init``, then
``kansa demo --workspace-dir`` (generate the files, cut the dated ones by day, ingest every
day into the vault), then ``kansa run --json`` once per engine. Peak memory is measured two
ways: the kernel's peak RSS of the step's process and the children it reaped (``wait4``), and
the largest sum of RSS over the whole process tree sampled every 0.2 s from ``/proc`` (this
one sees Spark's JVM, a child of the Python driver, while it runs).

DuckDB's memory is capped by the workspace's ``memory_limit`` and ``threads`` (written into
``kansa.toml`` before the load, default 6GB and 2) and spills into the workspace's staging
folder; the JVM's heap by ``[spark] driver_memory``.

    nice -n 10 .venv/bin/python bench/bench_scale.py --customers 1000000 --days 365
    nice -n 10 .venv/bin/python bench/bench_scale.py --customers 10000000 --days 30 \\
        --engines duckdb,spark --spark-memory 8g --delete

Results are printed and appended as one JSON line to ``--results`` (default
``bench/scale_results.jsonl`` is not kept in git: copy the numbers to docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2


@dataclass
class Step:
    """One measured command."""

    name: str
    seconds: float
    exit_code: int
    peak_rss_mib: float  # wait4: the step's process and the children it reaped
    peak_tree_mib: float  # sampled: sum over the live process tree
    output: dict[str, Any] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from every thread's ``children`` list)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants right now."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            continue
        todo += _children(p)
    return total


def measure(name: str, cmd: list[str], env: dict[str, str]) -> Step:
    """Run ``cmd``; its stdout is parsed as JSON when it is JSON."""
    with tempfile.TemporaryFile() as out_file:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_file, env=env)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out_file.seek(0)
        text = out_file.read().decode("utf-8", "replace")
    try:
        output = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        output = {"stdout_tail": text[-2000:]}
    step = Step(name, seconds, proc.returncode, usage.ru_maxrss / 1024, peak[0] / 2**20, output)
    print(
        f"{name:<14} {seconds:9.1f} s  exit {step.exit_code}  peak RSS {step.peak_rss_mib:8.0f} MiB"
        f"  process tree {step.peak_tree_mib:8.0f} MiB",
        flush=True,
    )
    return step


def set_limits(toml: Path, args: argparse.Namespace) -> None:
    """Cap DuckDB (memory_limit, threads) and Spark (master, driver heap) in ``kansa.toml``."""
    text = toml.read_text(encoding="utf-8")
    text = re.sub(
        r'^memory_limit = ".*?"', f'memory_limit = "{args.memory_limit}"', text, flags=re.M
    )
    if not re.search(r"^threads = ", text, flags=re.M):
        text = text.replace(
            f'memory_limit = "{args.memory_limit}"',
            f'memory_limit = "{args.memory_limit}"\nthreads = {args.threads}',
        )
    if "[spark]" not in text:
        text += (
            f'\n[spark]\nmaster = "local[{args.threads}]"\ndriver_memory = "{args.spark_memory}"\n'
            f'\n[spark.conf]\n"spark.local.dir" = "{toml.parent / "vault" / "staging"}"\n'
        )
    toml.write_text(text, encoding="utf-8")


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def summary_of_run(step: Step) -> dict[str, Any]:
    """Verdict counts of a ``kansa run --json``."""
    results = step.output.get("results") or step.output.get("outcomes") or []
    counts: dict[str, int] = {}
    for r in results:
        status = str(r.get("status"))
        counts[status] = counts.get(status, 0) + 1
    return {"controls": len(results), "statuses": counts, "run_id": step.output.get("run_id")}


def compare_engines(
    kansa: list[str], folder: Path, env: dict[str, str], run_ids: list[str]
) -> dict[str, Any] | None:
    """``kansa compare`` of the first run with each later one (DuckDB's with Spark's): the
    same verdicts and the same exception rows, value by value, at this size."""
    if len(run_ids) < 2:
        return None
    out: dict[str, Any] = {}
    for other in run_ids[1:]:
        cmd = [*kansa, "-w", str(folder), "compare", run_ids[0], other, "--json"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        summary = json.loads(done.stdout)["summary"] if done.returncode in (0, 1) else None
        out[other] = {"exit_code": done.returncode, "summary": summary}
        print(f"compare {run_ids[0]} {other}: exit {done.returncode} {summary}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engines", default="duckdb", help="comma-separated: duckdb,spark")
    ap.add_argument("--memory-limit", default="6GB", help="DuckDB memory_limit")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spark-memory", default="6g", help="[spark] driver_memory (JVM -Xmx)")
    ap.add_argument("--workspace-dir", type=Path, default=None)
    ap.add_argument(
        "--control-timeout",
        type=float,
        default=None,
        help="kansa run --timeout: seconds per control (default: the workspace's, 300)",
    )
    ap.add_argument("--reuse", action="store_true", help="keep an already loaded workspace")
    ap.add_argument("--delete", action="store_true", help="delete the workspace at the end")
    ap.add_argument("--results", type=Path, default=Path("bench/scale_results.jsonl"))
    args = ap.parse_args()
    folder: Path = args.workspace_dir or Path(tempfile.gettempdir()) / (
        f"kansa-scale-{args.customers}x{args.days}"
    )
    env = dict(os.environ)
    kansa = [sys.executable, "-m", "kansa.cli.app"]
    free = shutil.disk_usage(folder.parent if not folder.exists() else folder).free
    print(f"{platform.node()} {os.cpu_count()} cores, {free / 2**30:.0f} GiB free at {folder}")
    steps: list[Step] = []
    if not (args.reuse and (folder / "vault").is_dir()):
        shutil.rmtree(folder, ignore_errors=True)
        steps.append(measure("init", [*kansa, "init", str(folder)], env))
        set_limits(folder / "kansa.toml", args)
        demo = [*kansa, "demo", "--customers", str(args.customers), "--days", str(args.days),
                "--seed", str(args.seed), "--workspace-dir", str(folder), "--json"]  # fmt: skip
        steps.append(measure("generate+load", demo, env))
    size = du(folder)
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        cmd = [*kansa, "-w", str(folder), "run", "--json", "--fail-on", "never"]
        if engine != "duckdb":
            cmd += ["--engine", engine]
        if args.control_timeout:
            cmd += ["--timeout", str(args.control_timeout)]
        steps.append(measure(f"run {engine}", cmd, env))
    runs = [(s.name, s.output.get("run_id")) for s in steps if s.name.startswith("run ")]
    compared = compare_engines(kansa, folder, env, [r for _, r in runs if r])
    record = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.node()} {os.cpu_count()} cores {platform.machine()}",
        "load_average": os.getloadavg(),
        "customers": args.customers,
        "days": args.days,
        "memory_limit": args.memory_limit,
        "threads": args.threads,
        "spark_memory": args.spark_memory,
        "workspace_bytes": size,
        "steps": [
            {**{k: v for k, v in asdict(s).items() if k != "output"}, **_brief(s)} for s in steps
        ],
        "compare": compared,
    }
    print(json.dumps(record, indent=1))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with args.results.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    if args.delete:
        shutil.rmtree(folder, ignore_errors=True)


def _brief(step: Step) -> dict[str, Any]:
    """What a step's JSON says that the table needs (rows, generate seconds, verdicts)."""
    out = step.output
    if step.name.startswith("generate"):
        rows = out.get("rows", {})
        return {
            "seconds_generate": out.get("seconds_generate"),
            "rows": sum(rows.values()) if isinstance(rows, dict) else None,
        }
    if step.name.startswith("run"):
        return summary_of_run(step)
    return {}


if __name__ == "__main__":
    main()
