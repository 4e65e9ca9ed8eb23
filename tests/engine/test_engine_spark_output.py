"""Spark's part files of a control's result joined into the one Parquet file the vault commits
(kansa.engine.spark.output), and the run's as-of day read from the manifests (no scan)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.engine.execute import ControlFailure
from kansa.engine.spark.output import join_parts
from kansa.engine.spark.views import latest_day
from kansa.vault import Vault
from kansa.workspace import Workspace


def _part(folder: Path, index: int, values: list[int]) -> Path:
    path = folder / f"part-{index:05d}-0b1c-c000.snappy.parquet"
    pq.write_table(pa.table({"n": pa.array(values, pa.int64())}), path, row_group_size=2)
    return path


def test_parts_are_joined_in_partition_order_row_group_by_row_group(tmp_path: Path) -> None:
    parts = [_part(tmp_path, i, v) for i, v in [(2, [5, 6]), (0, [1, 2, 3]), (1, [4]), (10, [7])]]
    out = tmp_path / "CTL-001.parquet"
    join_parts(parts, out, pa.schema([("n", pa.int64())]))
    assert pq.read_table(out).column("n").to_pylist() == [1, 2, 3, 4, 5, 6, 7]


def test_no_part_is_an_empty_file_of_the_results_schema(tmp_path: Path) -> None:
    out = tmp_path / "CTL-001.parquet"
    join_parts([], out, pa.schema([("customer_id", pa.string()), ("n", pa.int64())]))
    table = pq.read_table(out)
    assert table.num_rows == 0 and table.column_names == ["customer_id", "n"]


def test_parts_of_different_schemas_are_refused(tmp_path: Path) -> None:
    first = _part(tmp_path, 0, [1])
    other = tmp_path / "part-00001-0b1c-c000.snappy.parquet"
    pq.write_table(pa.table({"n": pa.array(["x"])}), other)
    with pytest.raises(ControlFailure, match="different schemas"):
        join_parts([first, other], tmp_path / "out.parquet", pa.schema([("n", pa.int64())]))


def test_a_file_that_is_no_part_is_refused(tmp_path: Path) -> None:
    stray = tmp_path / "_SUCCESS.parquet"
    pq.write_table(pa.table({"n": [1]}), stray)
    with pytest.raises(ControlFailure, match="unexpected file"):
        join_parts([stray], tmp_path / "out.parquet", pa.schema([("n", pa.int64())]))


def test_the_latest_day_comes_from_the_manifest(workspace: Workspace, tmp_path: Path) -> None:
    for day in ("2026-11-02", "2026-11-01"):  # loaded out of order: the latest day still wins
        src = tmp_path / f"wb_{day}.csv"
        src.write_text(f"as_of,wallet_id,asset,balance\n{day},W1,BTC,100\n", encoding="utf-8")
        done = CliRunner().invoke(
            app, ["-w", str(workspace.root), "ingest", "wallet_balances", str(src)]
        )
        assert done.exit_code == 0, done.output
    snapshots = Vault(workspace.vault_dir).latest_all()
    assert snapshots["wallet_balances"].dated
    assert latest_day(snapshots["wallet_balances"]) == dt.date(2026, 11, 2)


def test_a_reference_table_has_no_latest_day(workspace: Workspace, put_snapshot: Any) -> None:
    snap = put_snapshot(workspace, "staff", [{"person_id": "P1"}])
    assert latest_day(snap) is None  # not dated: the run asks Spark
