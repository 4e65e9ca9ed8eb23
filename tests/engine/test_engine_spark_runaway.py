"""A runaway control on Spark is stopped by the run's time limit and reported as an error of
that control alone, while the other controls run beside it and the run is committed (as on
DuckDB), through ``kansa run --engine spark`` as a user types it.

The runaway is a real exploding cross join over the custody book (16 rows to the 8th power:
4.3 billion combinations, each compared, none kept). It runs in its own ``kansa`` process and
JVM: Spark cancels the control's job at once, but cannot kill a task looping over broadcast
rows without reading input (docs/spark.md), which runs on until its JVM ends, the ``kansa``
process's exit; in the suite's shared JVM it would hold both cores for the rest of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.controls import Control
from kansa.workspace import Workspace

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

TABLES = "abcdefgh"
EXPLODING_JOIN = (
    "select a.customer_id from "
    + ", ".join(f"customer_balances {t}" for t in TABLES)
    + " where concat("
    + ", ".join(f"{t}.customer_id" for t in TABLES)
    + ") = 'none'"
)
CLEAN = "select customer_id from customer_balances where balance < 0"


def test_a_runaway_control_on_spark_times_out_alone_and_the_run_is_committed(
    spark_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    folder = make_control("TST-000", EXPLODING_JOIN).source.parent
    for i in (1, 2, 3):
        make_control(f"TST-00{i}", CLEAN)
    cfg = spark_ws.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8")
        + f"\n[controls]\npaths = [{json.dumps(str(folder))}]\n"
        + '[spark]\nmaster = "local[2]"\ndriver_memory = "1g"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(spark_ws.root),
         "run", "--engine", "spark", "--controls", "TST-*", "--timeout", "20", "--workers", "2",
         "--json"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "KANSA_LANG": "en"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads(done.stdout)
    by_id = {r["control_id"]: r for r in run["results"]}
    bomb = by_id["TST-000"]
    assert bomb["status"] == "error" and bomb["error"].startswith("timed out after 20 s"), bomb
    assert bomb["exceptions"] is None and bomb["exceptions_file"] is None
    assert [by_id[f"TST-00{i}"]["status"] for i in (1, 2, 3)] == ["pass"] * 3
    verified: Any = CliRunner().invoke(app, ["-w", str(spark_ws.root), "verify"])
    assert verified.exit_code == 0, verified.output
