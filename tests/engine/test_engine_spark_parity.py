"""Parity: the whole catalog on a small demo gives the same verdicts and the same exception rows
on Spark (local) as on DuckDB; the controls that cannot run on Spark are exactly those
``kansa controls lint --engine spark`` names, each an error carrying its reason on Spark."""

from __future__ import annotations

import dataclasses
import importlib.metadata
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.controls import load_catalog
from kansa.controls.views import builtin_views
from kansa.engine import RunResult, run_controls
from kansa.engine.compare_rows import differences
from kansa.engine.spark.support import not_runnable
from kansa.vault import Vault
from kansa.workspace import Workspace, find_workspace

# the run records the PySpark that ran it (pyproject allows any 3.5.x)
SPARK = f"spark {importlib.metadata.version('pyspark')}"

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def both_runs(
    spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, RunResult, RunResult]:
    folder: Path = tmp_path_factory.mktemp("parity") / "ws"
    args = ["demo", "--customers", "300", "--days", "7", "--workspace-dir", str(folder)]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ws = find_workspace(folder)
    catalog = load_catalog().values()
    duck = run_controls(ws, catalog, progress=False, record=False, engine="duckdb")
    on_spark = run_controls(ws, catalog, progress=False, record=False, engine="spark")
    return ws, duck, on_spark


def test_the_spark_run_records_spark(both_runs: tuple[Workspace, RunResult, RunResult]) -> None:
    _, duck, on_spark = both_runs
    assert duck.engine.startswith("duckdb ") and on_spark.engine == SPARK
    logic = {cid for cid, c in load_catalog().items() if c.logic}
    for o in on_spark.outcomes:
        if o.status not in ("not_tested",) and o.control_id in logic:
            assert o.engine.startswith(f"{SPARK} (driver: duckdb "), o
        elif o.status != "not_tested":
            assert o.engine == SPARK, o


def test_same_verdicts_and_rows_on_spark_and_duckdb(
    both_runs: tuple[Workspace, RunResult, RunResult],
) -> None:
    ws, duck, on_spark = both_runs
    named = not_runnable(load_catalog(), builtin_views())
    by_id = {o.control_id: o for o in on_spark.outcomes}
    compared, skipped, problems = [], set(), {}
    for d in duck.outcomes:
        s = by_id[d.control_id]
        if d.control_id in named:
            assert s.status == "error" and named[d.control_id] in (s.error or ""), s
            skipped.add(d.control_id)
            continue
        verdict = (d.status, d.population_count, d.exception_count)
        if verdict != (s.status, s.population_count, s.exception_count):
            problems[d.control_id] = (
                f"{verdict} != {(s.status, s.population_count, s.exception_count)} {s.error}"
            )
            continue
        if d.exceptions_file:
            assert s.exceptions_file, s
            diff = differences(ws.vault_dir / d.exceptions_file, ws.vault_dir / s.exceptions_file)
            if diff:
                problems[d.control_id] = "; ".join(diff[:5])
                continue
        compared.append(d.control_id)
    assert problems == {}
    assert skipped == set(named)  # never skipped in silence: exactly what lint names
    assert len(compared) + len(skipped) == len(load_catalog())
    ran = [o for o in duck.outcomes if o.status in ("pass", "fail")]
    assert len(ran) >= 40 and any(o.status == "fail" for o in ran)


def _with_driver_limit(ws: Workspace, rows: int) -> Workspace:
    spark_settings = dataclasses.replace(ws.config.spark, driver_max_rows=rows)
    return dataclasses.replace(ws, config=dataclasses.replace(ws.config, spark=spark_settings))


def test_a_logic_control_with_driver_blocks_reads_only_their_rows(
    both_runs: tuple[Workspace, RunResult, RunResult],
) -> None:
    """CUS-008 reads one day's sums per asset on the driver, not the year of balances: under a
    limit far below the balance tables (200 rows) it gives DuckDB's verdict and rows; a control read whole
    (KEY-013) is refused by the same limit, and so is a driver block that returns too many."""
    ws, duck, _ = both_runs
    catalog = load_catalog()
    latest = Vault(ws.vault_dir).latest_all(list(catalog["CUS-008"].datasets))
    balances = sum(s.rows for s in latest.values())
    assert balances > 2_000
    small = _with_driver_limit(ws, 200)
    run = run_controls(small, [catalog["CUS-008"]], progress=False, record=False, engine="spark")
    (cus,) = run.outcomes
    want = next(o for o in duck.outcomes if o.control_id == "CUS-008")
    assert (cus.status, cus.population_count, cus.exception_count) == (
        want.status,
        want.population_count,
        want.exception_count,
    ), cus.error
    if want.exceptions_file:
        assert cus.exceptions_file
        mine = ws.vault_dir / cus.exceptions_file
        assert differences(ws.vault_dir / want.exceptions_file, mine) == []
    key = catalog["KEY-013"]
    whole = sum(s.rows for s in Vault(ws.vault_dir).latest_all(list(key.datasets)).values())
    over = run_controls(
        _with_driver_limit(ws, whole - 1), [key], progress=False, record=False, engine="spark"
    )
    (key_013,) = over.outcomes
    assert key_013.status == "error" and "driver_max_rows" in (key_013.error or ""), key_013
    # room for the wallets (read whole) and one row more: the day's sums do not fit
    room = latest["wallets"].rows + 1
    tiny = run_controls(
        _with_driver_limit(ws, room),
        [catalog["CUS-008"]],
        progress=False,
        record=False,
        engine="spark",
    )
    (refused,) = tiny.outcomes
    assert refused.status == "error" and f"more than {room}" in (refused.error or ""), refused
