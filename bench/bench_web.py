"""Benchmark: `kansa serve` on loopback: the overview, a control's page, and pages of a
1,000,000-row exception set, one user at a time and with 50 concurrent users.

    .venv/bin/python bench/bench_web.py                          # 20,000 customers, 30 days
    .venv/bin/python bench/bench_web.py --customers 100000 --days 365 --rows 1000000

A demo workspace is generated (``kansa demo`` + ``kansa run``), then a bench run is recorded
whose exception file (committed through the vault, hashed like any run's) has ``--rows`` rows;
the server is the real ``kansa serve`` in its own process, reached over HTTP with an auditor's
API token. Every exception page viewed is a ledger entry (fsync'd), as in production: that cost
is included. Goal (issue 11): overview and control page < 200 ms median with 50 users, a page of
a 1,000,000-row exception set < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

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
    """Record a run whose one failing control has ``rows`` exception rows; return its id."""
    ws = find_workspace(ws_root)
    vault = Vault(ws.vault_dir)
    with vault.staging() as stage:
        staged = stage / "x.parquet"
        _exception_file(rows, staged)
        rel = f"runs/bench/{rows}-rows.parquet"
        digest = sha256_file(staged)
        vault.commit("bench", {"rows": rows}, {rel: staged}, hashes={rel: digest})
    now = dt.datetime.now(dt.UTC)
    with Database(ws.database_url) as db, db.session() as s:
        run = Run(id=f"bench-{rows}", workspace=ws.config.name, as_of=now.date(), started_at=now,
                  finished_at=now, engine="bench", actor="bench", controls_total=1, passed=0,
                  failed=1, errored=0, overrides={})  # fmt: skip
        run.results.append(ControlResult(control_id="CUS-001", control_version=1,
            version_hash="0" * 64, severity="critical", status="fail", parameters={},
            snapshots={}, engine="bench", population_count=rows, exception_count=rows,
            duration_s=0.0, exceptions_file=rel, exceptions_sha256=digest))  # fmt: skip
        s.add(run)
    return run.id


def _token(ws_root: Path) -> str:
    ws = find_workspace(ws_root)
    with Database(ws.database_url) as db:
        add_user(db, "bench", "auditor")
        user = next(u for u in list_users(db) if u.username == "bench")
        return api_tokens.create(db, user, "bench", "auditor", 1, dt.datetime.now(dt.UTC))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _timed(client: httpx.Client, path: str) -> float:
    t0 = time.perf_counter()
    r = client.get(path)
    elapsed = time.perf_counter() - t0
    assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return elapsed * 1000


def _report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:48s} n={len(ms):4d}  median {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200, help="requests per concurrent test")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kansa-bench-web-")) / "ws"
    t0 = time.perf_counter()
    _kansa(
        "demo",
        "--customers",
        str(args.customers),
        "--days",
        str(args.days),
        "--workspace-dir",
        str(root),
    )
    _kansa("-w", str(root), "run")
    _bench_run(root, args.rows)
    token = _token(root)
    print(f"workspace ready in {time.perf_counter() - t0:.1f} s: {root}")
    port = _free_port()
    server = subprocess.Popen([*KANSA, "-w", str(root), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            pages = -(-args.rows // 50)
            paths = {
                "overview (JSON)": lambda: "/api/overview",
                "control CUS-001 (JSON, history)": lambda: "/api/controls/CUS-001",
                f"exceptions page, {args.rows:,} rows, file order": lambda: f"/api/controls/CUS-001/exceptions?page={random.randint(1, pages)}",
                f"exceptions page, {args.rows:,} rows, sorted": lambda: f"/api/controls/CUS-001/exceptions?page={random.randint(1, pages)}&sort=amount&desc=true",
            }  # fmt: skip
            _timed(c, "/api/controls/CUS-001/exceptions")  # first view hashes the file once
            print("one user at a time:")
            for name, path in paths.items():
                _report(name, [_timed(c, path()) for _ in range(20)])
            print(f"{args.users} concurrent users:")
            with ThreadPoolExecutor(args.users) as pool:
                for name, path in paths.items():
                    _report(
                        name,
                        list(pool.map(lambda _i, p=path: _timed(c, p()), range(args.requests))),
                    )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
