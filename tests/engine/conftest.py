"""A tiny custody book for engine tests: two assets, two days, BTC under-cold on day two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kansa.workspace import Workspace

DAY1, DAY2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)


def custody_rows() -> dict[str, list[dict[str, Any]]]:
    wallets = [
        {"wallet_id": "BTC-COLD", "asset": "BTC", "tier": "cold", "purpose": "customer"},
        {"wallet_id": "BTC-HOT", "asset": "BTC", "tier": "hot", "purpose": "customer"},
        {"wallet_id": "ETH-COLD", "asset": "ETH", "tier": "cold", "purpose": "customer"},
        {"wallet_id": "ETH-HOT", "asset": "ETH", "tier": "hot", "purpose": "customer"},
    ]
    # (day, wallet, balance): BTC day 2 holds only 90% cold
    held = [
        (DAY1, "BTC-COLD", 960), (DAY1, "BTC-HOT", 40), (DAY2, "BTC-COLD", 900),
        (DAY2, "BTC-HOT", 100), (DAY1, "ETH-COLD", 9_900), (DAY1, "ETH-HOT", 100),
        (DAY2, "ETH-COLD", 9_700), (DAY2, "ETH-HOT", 300),
    ]  # fmt: skip
    balances = [{"as_of": d, "wallet_id": w, "asset": w[:3], "balance": str(b)} for d, w, b in held]
    customers = [
        {"as_of": d, "customer_id": f"C{i}", "asset": a, "balance": str(total // 4)}
        for d in (DAY1, DAY2)
        for a, total in (("BTC", 1000), ("ETH", 10_000))
        for i in range(4)
    ]
    return {"wallets": wallets, "wallet_balances": balances, "customer_balances": customers}


@pytest.fixture
def custody_ws(
    db_workspace: Workspace, put_snapshot: Callable[[Workspace, str, list[dict[str, Any]]], Any]
) -> Workspace:
    """A workspace (SQLite or PostgreSQL app database) holding the custody book."""
    for dataset, rows in custody_rows().items():
        put_snapshot(db_workspace, dataset, rows)
    return db_workspace


@pytest.fixture
def spark_ws(
    workspace: Workspace, put_snapshot: Callable[[Workspace, str, list[dict[str, Any]]], Any]
) -> Workspace:
    """The custody book in a SQLite workspace (Spark tests run it once, not per database)."""
    for dataset, rows in custody_rows().items():
        put_snapshot(workspace, dataset, rows)
    return workspace


@pytest.fixture(autouse=True)
def _trust_test_logic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python-logic controls these tests write live in the test modules: the operator's
    KANSA_TRUSTED_LOGIC lets a workspace control name them (nothing else outside kansa)."""
    monkeypatch.setenv("KANSA_TRUSTED_LOGIC", "test_engine_logic,test_engine_readonly")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The suite's one SparkSession (local[2], small heap, no UI): Kansa's runs reuse it."""
    from kansa.engine.spark.session import spark_session
    from kansa.workspace.engine_config import SparkSettings

    settings = SparkSettings(
        master="local[2]", driver_memory="1g", conf={"spark.sql.shuffle.partitions": "2"}
    )
    session = spark_session(settings, app_name="kansa-tests")
    yield session
    session.stop()
