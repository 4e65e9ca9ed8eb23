"""One small demo exchange per test session (2,000 customers, 10 days), read with DuckDB."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from kansa.demo import DemoParams, DemoResult, generate
from kansa.demo.sanctions import default_ofac_dir

SMALL = DemoParams(customers=2_000, days=10, seed=7)


@pytest.fixture(scope="session")
def demo_result(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    ofac = default_ofac_dir()
    return generate(
        SMALL, tmp_path_factory.mktemp("demo"), ofac_dir=ofac if ofac.is_dir() else None
    )


@pytest.fixture(scope="session")
def truth(demo_result: DemoResult) -> dict[str, Any]:
    return json.loads(demo_result.ground_truth.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def db(demo_result: DemoResult) -> Iterator[duckdb.DuckDBPyConnection]:
    """Every generated file as a view named after its dataset."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, path in demo_result.files.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{Path(path)}')")
    yield con
    con.close()


Keys = set[tuple[tuple[str, str], ...]]


@pytest.fixture(scope="session")
def seeded(truth: dict[str, Any]) -> Callable[[str], Keys]:
    """control -> its ground-truth keys, as sorted (column, value) tuples."""

    def keys(control: str) -> Keys:
        return {
            tuple(sorted(v["key"].items()))
            for s in truth["scenarios"]
            for v in s["violations"]
            if v["control"] == control
        }

    return keys
