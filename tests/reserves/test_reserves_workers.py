"""``kill -9`` of ``kansa reserves build`` leaves no worker process behind.

The build forks workers that wait on pipes the other workers also hold open, so before the
fix they never noticed their parent was gone and lived on (holding gigabytes of copy-on-write
arrays). The test starts the real command in a subprocess on enough customers to use workers,
kills it with SIGKILL while they are running, and gives them a few seconds to be gone.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kansa.vault import Vault
from kansa.workspace import Workspace

CUSTOMERS = 600_000  # far above SERIAL_BELOW: every stage of the build runs in workers
DAY = dt.date(2026, 11, 20)


def _children(pid: int) -> dict[int, str]:
    """Live child processes of ``pid``: pid -> start time (to tell a reused pid apart)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:  # fields: state, ppid, ... starttime is field 22 overall
            found[int(entry)] = fields[19]
    return found


def _alive(pid: int, started: str) -> bool:
    """The same process still exists and is not a zombie (a zombie holds nothing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == started and fields[0] != "Z"


def _balances(ws: Workspace) -> None:
    ids = pa.array([f"customer-{i:07d}" for i in range(CUSTOMERS)])
    table = pa.table(
        {
            "as_of": pa.array([DAY] * CUSTOMERS, pa.date32()),
            "customer_id": ids,
            "asset": pa.array(["BTC"] * CUSTOMERS),
            "balance": pa.array(range(1, CUSTOMERS + 1), pa.decimal128(38, 0)),
        }
    )
    vault = Vault(ws.vault_dir)
    staged = vault.staging_dir() / "customer_balances.parquet"
    pq.write_table(table, staged)
    vault.commit_snapshot("customer_balances", staged, {"rows": CUSTOMERS})


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; prctl is Linux")
def test_kill_9_of_the_build_leaves_no_worker(workspace: Workspace) -> None:
    _balances(workspace)
    code = "from kansa.cli.app import main; main()"
    args = ["-w", str(workspace.root), "reserves", "build", "--workers", "2", "--json"]
    build = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 120
        while not workers and build.poll() is None and time.monotonic() < deadline:
            workers = _children(build.pid)
            time.sleep(0.005)
        assert workers, "the build never started a worker (or finished before one was seen)"
        until = time.monotonic() + 1  # the pool forks its two workers one after the other
        while len(workers) < 2 and time.monotonic() < until:
            workers |= _children(build.pid)
            time.sleep(0.005)
        build.send_signal(signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(p, s) for p, s in workers.items()):
            time.sleep(0.05)
        survivors = [p for p, s in workers.items() if _alive(p, s)]
        assert not survivors, f"workers {survivors} outlived the killed build"
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        for pid, started in workers.items():
            if _alive(pid, started):
                os.kill(pid, signal.SIGKILL)
