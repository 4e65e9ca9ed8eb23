"""The whole catalog on a generated demo exchange: every seeded violation found, nothing else.

This is the catalog's end-to-end check (issue 3, "precision and recall 1.0 on the demo"), run
straight on the demo's files with DuckDB so it does not depend on ingest or the engine. The
session zone is Asia/Tokyo on purpose: the verdicts must not depend on it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from kansa.controls import load_catalog
from kansa.controls.direct import run_control
from kansa.controls.fixtures import quote_ident
from kansa.controls.scoring import exception_keys, score
from kansa.demo import DemoParams, generate

SHARED_OFAC = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "ofac-sdn-digital-currency-2024-09"
)


@pytest.fixture(scope="module", params=[7, 11])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict]:
    if not SHARED_OFAC.is_dir():
        pytest.skip("../shared/data is not present")
    folder = tmp_path_factory.mktemp(f"demo{request.param}")
    result = generate(
        DemoParams(customers=2000, days=14, seed=request.param), folder, ofac_dir=SHARED_OFAC
    )
    return folder, json.loads(result.ground_truth.read_text(encoding="utf-8"))


def views(folder: Path, zone: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    for path in folder.glob("*.parquet"):
        con.execute(f"CREATE VIEW {quote_ident(path.stem)} AS SELECT * FROM read_parquet('{path}')")
    return con


def test_catalog_finds_exactly_the_ground_truth(demo: tuple[Path, dict]) -> None:
    folder, truth = demo
    con = views(folder, "Asia/Tokyo")
    as_of = dt.date.fromisoformat(truth["as_of"])
    found = {}
    for control in load_catalog().values():
        # every input has rows now (issue 10): a control that cannot run fails the test
        result = run_control(con, control, as_of)
        found[control.id] = exception_keys(result.exceptions, control.key)
    outcome = score(truth, found)
    wrong = {cid: (s.missed, s.extra) for cid, s in outcome.per_control.items() if s.fp or s.fn}
    assert wrong == {}
    assert outcome.overall.tp >= 25  # every scenario contributes violations
    assert {p.stem for p in folder.glob("*.parquet") if pq.read_metadata(p).num_rows == 0} == set()
