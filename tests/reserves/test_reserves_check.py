"""``check_reserves(con, as_of)``: the failing assets a control would report."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from reserves_support import DAY, balance_rows, commit_rows

from kansa.reserves import ArtifactCorrupt, TreeArtifact, build_reserves, check_reserves, find_tree
from kansa.vault import Vault
from kansa.workspace import Workspace

OTHER_DAY = dt.date(2026, 11, 19)


def _con(
    customer: list[dict], wallets: list[dict], balances: list[dict]
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    types = {"as_of": pa.date32(), "balance": pa.decimal128(38, 0)}
    for name, rows in (
        ("customer_balances", customer),
        ("wallets", wallets),
        ("wallet_balances", balances),
    ):
        table = pa.table(
            {k: pa.array([r[k] for r in rows], types.get(k, pa.string())) for k in rows[0]}
        )
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_arrow")
    return con


WALLETS = [
    {"wallet_id": "cold-btc", "asset": "BTC", "purpose": "customer"},
    {"wallet_id": "hot-btc", "asset": "BTC", "purpose": "customer"},
    {"wallet_id": "house-btc", "asset": "BTC", "purpose": "house"},
    {"wallet_id": "pg-btc", "asset": "BTC", "purpose": "performance_guarantee"},
    {"wallet_id": "cold-eth", "asset": "ETH", "purpose": "customer"},
]


def _wb(day: dt.date, **amounts: int) -> list[dict]:
    return [
        {"as_of": day, "wallet_id": w, "asset": w.split("-")[1].upper(), "balance": v}
        for w, v in ((k.replace("_", "-"), v) for k, v in amounts.items())
    ]


def test_only_short_assets_are_returned_with_their_figures() -> None:
    customers = balance_rows({"a": {"BTC": 60, "ETH": 10**20}, "b": {"BTC": 40}})
    balances = _wb(DAY, cold_btc=90, hot_btc=9, house_btc=1000, pg_btc=1000, cold_eth=10**20)
    con = _con(customers, WALLETS, balances)
    failing = check_reserves(con, DAY)
    assert failing.column_names == ["asset", "as_of", "liabilities", "reserves", "ratio"]
    rows = failing.to_pylist()
    assert [(r["asset"], int(r["liabilities"]), int(r["reserves"])) for r in rows] == [
        ("BTC", 100, 99)
    ]
    assert rows[0]["as_of"] == DAY and rows[0]["ratio"] == pytest.approx(0.99)


def test_equal_reserves_pass_and_other_days_are_ignored() -> None:
    customers = balance_rows({"a": {"BTC": 100}}) + balance_rows({"a": {"BTC": 500}}, OTHER_DAY)
    balances = _wb(DAY, cold_btc=100) + _wb(OTHER_DAY, cold_btc=1)
    con = _con(customers, WALLETS, balances)
    assert check_reserves(con, DAY).num_rows == 0
    assert check_reserves(con, OTHER_DAY).to_pylist()[0]["asset"] == "BTC"


def test_negative_balances_do_not_offset_what_others_are_owed() -> None:
    customers = balance_rows({"a": {"BTC": 100}, "b": {"BTC": -50}})
    con = _con(customers, WALLETS, _wb(DAY, cold_btc=60))
    assert [int(r["liabilities"]) for r in check_reserves(con, DAY).to_pylist()] == [100]


def test_an_asset_with_no_wallet_at_all_is_short() -> None:
    customers = balance_rows({"a": {"BTC": 1, "XRP": 3}})
    con = _con(customers, WALLETS, _wb(DAY, cold_btc=1))
    assert [r["asset"] for r in check_reserves(con, DAY).to_pylist()] == ["XRP"]


def test_a_damaged_artifact_issues_no_proof(workspace: Workspace) -> None:
    commit_rows(
        workspace,
        "customer_balances",
        balance_rows({f"c{i}": {"BTC": i + 1} for i in range(200)}),
    )
    vault = Vault(workspace.vault_dir)
    build_reserves(vault, seed=3)
    art = TreeArtifact(find_tree(vault, DAY).manifest)
    assert art.proof("c5")["customer_id"] == "c5"
    nodes: Path = art.folder / "nodes.bin"
    os.chmod(nodes, 0o644)
    data = bytearray(nodes.read_bytes())
    data[5] ^= 1  # first stored node (level 6, covering leaves 0..63)
    nodes.write_bytes(bytes(data))
    damaged = TreeArtifact(find_tree(vault, DAY).manifest)
    position = damaged.position("c5")
    assert position is not None
    with pytest.raises(ArtifactCorrupt):
        damaged.proof_at(0)
