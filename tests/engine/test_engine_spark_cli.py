"""``kansa run --engine spark`` and ``engine = "spark"`` in kansa.toml: a run the rest of Kansa
treats like any other (results, runs, verify), recording Spark as its engine; lint names what
cannot run on Spark."""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.controls import load_catalog
from kansa.controls.views import builtin_views
from kansa.engine.spark.support import not_runnable
from kansa.workspace import Workspace

# the run records the PySpark that ran it (pyproject allows any 3.5.x)
SPARK = f"spark {importlib.metadata.version('pyspark')}"

runner = CliRunner()


def kansa(ws: Workspace, *args: str) -> Any:
    return runner.invoke(app, ["-w", str(ws.root), *args], catch_exceptions=False)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_a_spark_run_is_verified_and_read_like_any_other(spark: Any, spark_ws: Workspace) -> None:
    done = kansa(spark_ws, "run", "--engine", "spark", "--controls", "CUS-001,CUS-002", "--json")
    assert done.exit_code == 0, done.output
    run = json.loads(done.output)
    assert run["engine"] == SPARK
    by_id = {r["control_id"]: r for r in run["results"]}
    assert (by_id["CUS-001"]["status"], by_id["CUS-001"]["exceptions"]) == ("fail", 1)
    assert by_id["CUS-001"]["engine"] == SPARK
    shown = kansa(spark_ws, "results", "CUS-001", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["rows"][0]["asset"] == "BTC"
    runs = json.loads(kansa(spark_ws, "runs", "--json").output)
    assert runs[0]["engine"] == SPARK
    assert kansa(spark_ws, "verify").exit_code == 0


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_engine_spark_in_kansa_toml_runs_on_spark(spark: Any, spark_ws: Workspace) -> None:
    cfg = spark_ws.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[run]\nengine = "spark"\n', "utf-8")
    done = kansa(spark_ws, "run", "--controls", "CUS-001", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["engine"] == SPARK


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_kansa_compare_proves_a_spark_run_agrees_with_duckdb(
    spark: Any, spark_ws: Workspace
) -> None:
    """docs/spark.md's parity proof on the user's own data: a DuckDB run, a Spark run, then
    ``kansa compare`` row by row."""
    ids = []
    for engine in ("duckdb", "spark"):
        done = kansa(spark_ws, "run", "--engine", engine, "--controls", "CUS-*", "--json")
        assert done.exit_code == 0, done.output
        ids.append(json.loads(done.output)["run_id"])
    done = kansa(spark_ws, "compare", *ids, "--json")
    found = json.loads(done.output)
    assert done.exit_code == 0 and found["equal"], found
    assert found["run_b"]["engine"] == SPARK
    assert found["summary"]["rows_compared"] >= 1  # CUS-001's row, value by value


def test_lint_for_spark_names_exactly_the_controls_that_cannot_run_there() -> None:
    done = runner.invoke(app, ["controls", "lint", "--engine", "spark", "--json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.output)["not_runnable"]
    assert out["engine"] == "spark"
    assert out["controls"] == not_runnable(load_catalog(), builtin_views())


def test_lint_for_an_unknown_engine_is_a_usage_error() -> None:
    done = runner.invoke(app, ["controls", "lint", "--engine", "sparky"])
    assert done.exit_code == 2 and "sparky" in done.output


def test_a_duckdb_user_never_imports_pyspark(custody_ws: Workspace) -> None:
    """The Spark engine is imported only when a run asks for it."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from kansa.cli.app import app; "
        "from kansa.controls import load_catalog; from kansa.engine import run_controls; "
        "from kansa.workspace import find_workspace; "
        f"ws = find_workspace(Path({str(custody_ws.root)!r})); "
        "run_controls(ws, [load_catalog()['CUS-001']], progress=False, record=False); "
        "print('pyspark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
