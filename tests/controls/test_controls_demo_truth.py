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


def empty_datasets(folder: Path) -> set[str]:
    """The contracts the demo writes without a row (it does not generate them yet, issue 10)."""
    return {p.stem for p in folder.glob("*.parquet") if pq.read_metadata(p).num_rows == 0}


def test_catalog_finds_exactly_the_ground_truth(demo: tuple[Path, dict]) -> None:
    folder, truth = demo
    con = views(folder, "Asia/Tokyo")
    as_of = dt.date.fromisoformat(truth["as_of"])
    empty = empty_datasets(folder)
    found, untested = {}, {}
    for control in load_catalog().values():
        try:
            result = run_control(con, control, as_of)
        except duckdb.InvalidInputException as exc:  # an input without rows: no verdict
            untested[control.id] = str(exc)
            continue
        found[control.id] = exception_keys(result.exceptions, control.key)
    # a control may go untested only for an input the demo leaves empty, and says which
    for cid, message in untested.items():
        named = {d for d in load_catalog()[cid].datasets if f"{d} holds no rows" in message}
        assert named and named <= empty, (cid, message)
    # the customer-side and yen controls read datasets the demo does not fill yet: not tested,
    # never passed (remove this when the demo stages them, issue 10 item 8)
    new = [c for c in load_catalog().values() if c.area in ("customers", "fiat")]
    assert {c.id for c in new if set(c.datasets) & empty} <= set(untested)
    outcome = score(truth, found)
    wrong = {cid: (s.missed, s.extra) for cid, s in outcome.per_control.items() if s.fp or s.fn}
    assert wrong == {}
    assert outcome.overall.tp >= 10  # every scenario contributes violations
