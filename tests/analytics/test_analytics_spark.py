"""The SQL analytics give the same workpaper on Spark as on DuckDB (issue 13).

Benford (every digit test, exact digits of wei-sized amounts), stratification (equal,
quantile and given bounds), duplicates (exact, within a window, fuzzy) and gaps run from the
CLI with ``--engine duckdb`` and ``--engine spark`` over one workspace whose datasets were
ingested day by day (several Parquet files per snapshot, so ``_row`` crosses files). The JSON
workpapers must be equal value by value, apart from the workpaper's own id and time.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.contracts import get_contract
from kansa.errors import KansaError
from kansa.ingest import ingest_file
from kansa.workspace import Workspace, create_workspace, find_workspace

runner = CliRunner()
# the Spark tests share one xdist worker, so the suite starts one JVM (tests/engine does too)
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
DAYS = [dt.date(2026, 10, 1) + dt.timedelta(d) for d in range(3)]
ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "amount": pa.decimal128(38, 0),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def _write(folder: Path, dataset: str, rows: list[dict[str, Any]]) -> Path:
    contract = get_contract(dataset)
    schema = pa.schema(
        [pa.field(c.name, ARROW[c.type], nullable=c.nullable) for c in contract.columns]
    )
    path = folder / f"{dataset}-{len(list(folder.iterdir()))}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def _amount(rng: random.Random, i: int) -> int:
    """Wei-sized values, some next to a digit boundary where a double is wrong."""
    if i % 97 == 0:
        return 10 ** rng.randint(17, 24) - 1  # 999...9: the double rounds it up to 10^n
    if i % 89 == 0:
        return rng.randint(1, 9)  # below the Benford floor
    return int(10 ** rng.uniform(14, 23))


def _withdrawals(rng: random.Random, day: dt.date, start: int, n: int) -> list[dict[str, Any]]:
    t0 = dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC)
    rows = []
    for i in range(start, start + n):
        amount = _amount(rng, i)
        if i % 50 == 1:  # an exact duplicate of the row before it, minutes later
            amount = rows[-1]["amount"]
        rows.append(
            {
                "withdrawal_id": f"W{i:06d}",
                "kind": "customer",
                "customer_id": f"C{rng.randint(1, 400):08d}",
                "wallet_id": "ETH-HOT-1",
                "asset": rng.choice(["ETH", "BTC"]),
                "destination_address": (
                    rows[-1]["destination_address"]
                    if i % 50 == 1
                    else f"0x{rng.randint(0, 300):040x}"
                ),
                "amount": Decimal(amount),
                "requested_by": None,
                "requested_at": t0 + dt.timedelta(minutes=rng.randint(0, 1300)),
                "request_payload_hash": f"{i:064x}",
                "status": "broadcast",
            }
        )
    return rows


def _auth_events(day: dt.date, index: int) -> list[dict[str, Any]]:
    """Two hosts' sequences: one missing number a day, one number repeated."""
    t0 = dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)
    rows = []
    for host in ("idp-a", "idp-b"):
        seqs = [s for s in range(index * 40 + 1, index * 40 + 41) if s != index * 40 + 7]
        seqs.append(index * 40 + 9)
        for k, seq in enumerate(seqs):
            rows.append(
                {
                    "event_id": f"{host}-{seq}-{k}",
                    "host": host,
                    "seq": seq,
                    "account_id": f"a{k % 5}",
                    "event_time": t0 + dt.timedelta(seconds=k),
                    "event_type": "login",
                    "mfa_method": None,
                    "device_id": None,
                    "session_id": None,
                    "result": "success",
                }
            )
    return rows


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("spark-analytics")
    w = create_workspace(root / "ws", name="spark-analytics")
    files = root / "files"
    files.mkdir()
    rng = random.Random(13)
    for index, day in enumerate(DAYS):
        rows = _withdrawals(rng, day, index * 1200, 1200)
        ingest_file(
            w, "withdrawals", _write(files, "withdrawals", rows), progress=False, days=[day]
        )
        events = _auth_events(day, index)
        ingest_file(
            w, "auth_events", _write(files, "auth_events", events), progress=False, days=[day]
        )
    return w


def _workpaper(ws: Workspace, line: str, engine: str) -> dict[str, Any]:
    result = runner.invoke(app, ["-w", str(ws.root), *line.split(), "--engine", engine, "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    doc = json.loads(result.output)
    for own in ("id", "created_at", "workpaper"):  # the filing differs, not the analysis
        doc.pop(own, None)
    return doc


PARITY = [
    "benford withdrawals --column amount --test first --filter asset=ETH --min-orders 1",
    "benford withdrawals --column amount --test second --min-orders 1",
    "benford withdrawals --column amount --test first-two --min-records 500 --min-orders 1",
    "benford withdrawals --column amount --test last-two --min-orders 1 --limit 40",
    "stratify withdrawals --column amount --bands 6 --filter asset=BTC",
    "stratify withdrawals --column amount --bands 4 --scheme quantile --filter asset=ETH",
    "stratify withdrawals --column amount --bounds 1e16,1e20,1e22 --filter asset=ETH",
    "duplicates withdrawals --keys destination_address,amount",
    "duplicates withdrawals --keys destination_address,amount --within 30m",
    "gaps auth_events --sequence seq --by host",
    "gaps auth_events --sequence seq",
]


@pytest.mark.parametrize("line", PARITY, ids=[" ".join(p.split()[:4]) for p in PARITY])
def test_spark_gives_the_duckdb_workpaper(ws: Workspace, spark: Any, line: str) -> None:
    on_duckdb = _workpaper(ws, line, "duckdb")
    on_spark = _workpaper(ws, line, "spark")
    assert on_spark == on_duckdb
    # the analysis saw records from every day's file (not one file, not an empty view)
    assert on_duckdb["inputs"][0]["rows"] > 0


def test_row_positions_cross_the_days_files(ws: Workspace, spark: Any) -> None:
    """A flagged record's ``_row`` is its position in the whole dataset on both engines: the
    exact duplicates include rows of the second and third day's files."""
    doc = _workpaper(ws, "duplicates withdrawals --keys destination_address,amount", "spark")
    rows = [r[doc["records"]["columns"].index("_row")] for r in doc["records"]["rows"]]
    assert max(rows) >= 2 * 1200, rows


def test_fuzzy_duplicates_are_refused_on_spark_not_approximated(ws: Workspace, spark: Any) -> None:
    line = "duplicates withdrawals --keys destination_address,amount --within 2h --fuzzy"
    result = runner.invoke(app, ["-w", str(ws.root), *line.split(), "--engine", "spark"])
    error = result.exception
    assert isinstance(error, KansaError) and error.exit_code == 2
    assert "Jaro-Winkler" in error.message and "--engine duckdb" in error.message


def test_executors_read_the_shared_copy_and_refuse_an_altered_one(
    ws: Workspace, spark: Any, tmp_path: Path
) -> None:
    """``[spark] snapshot_root`` (a second folder standing for the shared file system): the
    workpaper is the same, and a copy whose bytes are not the ledger's is refused."""
    own = tmp_path / "ws"
    shutil.copytree(ws.root, own)
    shared = tmp_path / "shared"
    shutil.copytree(own / "vault" / "snapshots", shared / "snapshots")
    with (own / "kansa.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[spark]\nsnapshot_root = "file://{shared}"\n')
    copied = find_workspace(own)
    line = "gaps auth_events --sequence seq --by host"
    assert _workpaper(copied, line, "spark") == _workpaper(ws, line, "duckdb")
    victim = sorted((shared / "snapshots" / "auth_events").rglob("*.parquet"))[-1]
    victim.write_bytes(victim.read_bytes()[:-9] + b"tampered!")
    result = runner.invoke(app, ["-w", str(own), *line.split(), "--engine", "spark"])
    error = result.exception
    assert isinstance(error, KansaError) and "not what the ledger recorded" in error.message
    assert victim.parent.name in error.message  # the altered day is named


def test_an_unknown_engine_is_refused_in_both_languages(ws: Workspace) -> None:
    result = runner.invoke(
        app, ["-w", str(ws.root), "gaps", "auth_events", "--sequence", "seq", "--engine", "hive"]
    )
    error = result.exception
    assert isinstance(error, KansaError) and error.exit_code == 2
    assert "--engine 'hive'" in error.message and "duckdb, spark" in error.message
