"""Benchmark: `kansa serve` on loopback: the overview, a control's page, and pages of a
1,000,000-row exception set, one user at a time and with 50 concurrent users.

    nice -n 10 .venv/bin/python bench/web_year.py /work/webperf-data/year    # the fixture
    .venv/bin/python bench/bench_web.py --workspace /work/webperf-data/year --rows 1000000
    .venv/bin/python bench/bench_web.py                  # a fresh 20,000-customer, 30-day demo

The workspace is the year fixture (``bench/web_year.py``: the 100,000-customer demo, a whole-
catalog run per day) or a demo made here. A bench run is recorded once whose exception file
(committed through the vault, hashed like any run's) has ``--rows`` rows; it is dated before
every other run, so the overview is the fixture's own. The server is the real ``kansa serve``
(``--workers``, default its own) in its own process, reached over HTTP with an auditor's API
token, from 50 client threads in this process on the same machine. Every exception page viewed
is a ledger entry (fsync'd), as in production: that cost is included. The first requests of
each page are printed on their own (a worker hashes the file and sorts a column once).

Goal (issue 11): overview and control page < 200 ms median with 50 users, a page of a
1,000,000-row exception set < 300 ms; each line prints its median / goal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select

from kansa.appdb import ControlResult, Database, Run
from kansa.vault import Vault, sha256_file
from kansa.web import api_tokens
from kansa.web.accounts import add_user, list_users
from kansa.workspace import find_workspace

KANSA = [sys.executable, "-c", "from kansa.cli.app import main; main()"]


def _kansa(*args: str) -> None:
    subprocess.run([*KANSA, *args], check=False, stdout=subprocess.DEVNULL)


def _exception_file(rows: int, dest: Path) -> None:
    rng = np.random.default_rng(7)
    table = pa.table({
        "customer_ref": pa.array([f"C{i:09d}" for i in range(rows)]),
        "asset": pa.array(rng.choice(["BTC", "ETH", "JPY", "USDT"], rows)),
        "amount": pa.array(rng.lognormal(3, 2, rows)),
        "at": pa.array(np.datetime64("2026-01-01") + rng.integers(0, 365 * 86400, rows).astype("timedelta64[s]")),
    })  # fmt: skip
    pq.write_table(table, dest, row_group_size=100_000)


def _bench_run(ws_root: Path, rows: int) -> str:
    """Record (once) a run whose one failing control has ``rows`` exception rows; its id.

    It is dated before every other run, so it changes neither the overview nor any control's
    latest result: the explorer is asked for it by its run id."""
    ws = find_workspace(ws_root)
    run_id = f"bench-{rows}"
    with Database(ws.database_url) as db, db.session() as s:
        if s.get(Run, run_id) is not None:
            return run_id
        oldest = s.scalar(select(func.min(Run.started_at)))
    vault = Vault(ws.vault_dir)
    with vault.staging() as stage:
        staged = stage / "x.parquet"
        _exception_file(rows, staged)
        rel = f"runs/bench/{rows}-rows.parquet"
        digest = sha256_file(staged)
        vault.commit("bench", {"rows": rows}, {rel: staged}, hashes={rel: digest})
    when = (oldest or dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    with Database(ws.database_url) as db, db.session() as s:
        run = Run(id=run_id, workspace=ws.config.name, as_of=when.date(), started_at=when,
                  finished_at=when, engine="bench", actor="bench", controls_total=1, passed=0,
                  failed=1, errored=0, overrides={})  # fmt: skip
        run.results.append(ControlResult(control_id="CUS-001", control_version=1,
            version_hash="0" * 64, severity="critical", status="fail", parameters={},
            snapshots={}, engine="bench", population_count=rows, exception_count=rows,
            duration_s=0.0, exceptions_file=rel, exceptions_sha256=digest))  # fmt: skip
        s.add(run)
    return run_id


def _token(ws_root: Path) -> str:
    ws = find_workspace(ws_root)
    with Database(ws.database_url) as db:
        if not any(u.username == "bench" for u in list_users(db)):
            add_user(db, "bench", "auditor")
        user = next(u for u in list_users(db) if u.username == "bench")
        return api_tokens.create(db, user, "bench", "auditor", 1, dt.datetime.now(dt.UTC))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


GOALS_MS = {"overview": 200.0, "control": 200.0, "exceptions": 300.0}


def _timed(client: httpx.Client, path: str) -> float:
    t0 = time.perf_counter()
    r = client.get(path)
    elapsed = time.perf_counter() - t0
    assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return elapsed * 1000


def _report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    median = statistics.median(ms)
    goal = GOALS_MS[name.split()[0]]
    print(f"{name:44s} n={len(ms):4d}  median {median:7.1f} ms  p95 {p95:7.1f} ms  "
          f"median/goal {median / goal:5.2f}", flush=True)  # fmt: skip


def _cpu_s(pid: int) -> float:
    """CPU seconds of ``pid`` and its children (the server's worker processes), from /proc."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        kids = (task / "children").read_text().split() if (task / "children").exists() else []
        for k in kids:
            found += [int(k), *_children(int(k))]
    return found


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _workspace(args: argparse.Namespace) -> Path:
    if args.workspace is not None:
        return Path(args.workspace)
    root = Path(tempfile.mkdtemp(prefix="kansa-bench-web-")) / "ws"
    _kansa("demo", "--customers", str(args.customers), "--days", str(args.days),
           "--workspace-dir", str(root))  # fmt: skip
    _kansa("-w", str(root), "run")
    return root


def _describe(root: Path) -> None:
    ws = find_workspace(root)
    with Database(ws.database_url) as db, db.session() as s:
        runs = s.scalar(select(func.count()).select_from(Run).where(Run.engine != "bench"))
        results = s.scalar(select(func.count()).select_from(ControlResult))
        first, last = s.execute(select(func.min(Run.as_of), func.max(Run.as_of))
                                .where(Run.engine != "bench")).one()  # fmt: skip
    entries = sum(1 for _ in Vault(ws.vault_dir).ledger.read())
    print(f"workspace {root}: {runs} runs ({first} .. {last}), {results} results, "
          f"{entries} ledger entries")  # fmt: skip


def _serve(root: Path, workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    extra = [] if workers is None else ["--workers", str(workers)]
    server = subprocess.Popen([*KANSA, "-w", str(root), "serve", "--port", str(port), *extra],
                              stdout=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(base + "/login", timeout=1)
            return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _paths(run_id: str, rows: int) -> dict[str, Callable[[], str]]:
    pages = -(-rows // 50)
    rows_api = f"/api/controls/CUS-001/exceptions?run={run_id}"
    return {
        "overview page (HTML)": lambda: "/",
        "overview (JSON)": lambda: "/api/overview",
        "control CUS-001 page (HTML)": lambda: "/controls/CUS-001",
        "control CUS-001 (JSON, history)": lambda: "/api/controls/CUS-001",
        f"exceptions {rows:,} rows, file order": lambda: f"{rows_api}&page={random.randint(1, pages)}",
        f"exceptions {rows:,} rows, sorted": lambda: f"{rows_api}&page={random.randint(1, pages)}&sort=amount&desc=true",
        f"exceptions {rows:,} rows, page (HTML)": lambda: f"/controls/CUS-001/exceptions?run={run_id}&page={random.randint(1, pages)}&sort=customer_ref",
    }  # fmt: skip


def _warm(base: str, headers: dict[str, str], paths: dict[str, Callable[[], str]]) -> None:
    """Each worker process hashes the 1M-row file and sorts it once per column: reported,
    then every path is asked over fresh connections so that every worker has done so."""
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, headers=headers, timeout=300, limits=fresh) as c:
        for name, path in paths.items():
            first = [_timed(c, path()) for _ in range(8)]
            print(f"  first requests of {name}: {', '.join(f'{v:.0f}' for v in first)} ms")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--workspace", help="an existing workspace (e.g. bench/web_year.py's year)")
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--workers", type=int, default=None, help="kansa serve --workers")
    ap.add_argument("--requests", type=int, default=200, help="requests per concurrent test")
    args = ap.parse_args()
    t0 = time.perf_counter()
    root = _workspace(args)
    run_id = _bench_run(root, args.rows)
    token = _token(root)
    print(f"workspace ready in {time.perf_counter() - t0:.1f} s")
    _describe(root)
    server, base = _serve(root, args.workers)
    headers = {"Authorization": f"Bearer {token}"}
    paths = _paths(run_id, args.rows)
    try:
        print(f"load average {_load()}; warming up:")
        _warm(base, headers, paths)
        limits = httpx.Limits(max_connections=args.users, max_keepalive_connections=args.users)
        with httpx.Client(base_url=base, headers=headers, timeout=120, limits=limits) as c:
            print(f"one user at a time (load average {_load()}):")
            for name, path in paths.items():
                _report(name, [_timed(c, path()) for _ in range(20)])
            print(f"{args.users} concurrent users (load average {_load()}):")
            with ThreadPoolExecutor(args.users) as pool:
                for name, path in paths.items():
                    cpu0 = _cpu_s(server.pid)
                    _report(
                        name,
                        list(pool.map(lambda _i, p=path: _timed(c, p()), range(args.requests))),
                    )
                    per = (_cpu_s(server.pid) - cpu0) / args.requests * 1000
                    print(f"{'':44s} server CPU {per:.2f} ms per request", flush=True)
        print(f"load average at the end {_load()}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
