"""Chains from kansa.toml reach the engine's KEY controls; contracts grow optional columns
that older exports may leave out; a wallet reports one balance per asset it holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from kansa.controls import load_catalog
from kansa.engine import run_controls
from kansa.errors import ConfigError
from kansa.ingest import ingest_file
from kansa.vault import Vault
from kansa.workspace import Workspace, find_workspace
from kansa.workspace.config import load_config

ADDR = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
WALLET = {
    "wallet_id": "FLR-1",
    "asset": "FLR",
    "chain": "flare",
    "network": "mainnet",
    "tier": "hot",
    "purpose": "house",
    "policy_type": "single_key",
    "signer_ids": "k1",
    "approved_threshold": 1,
    "approved_keys": 1,
    "created_at": "2026-01-05T00:00:00Z",
}


def _run(ws: Workspace, control_id: str) -> Any:
    control = load_catalog()[control_id]
    return run_controls(ws, [control], progress=False).outcome(control_id)


def test_a_chain_declared_in_kansa_toml_reaches_key_003(
    workspace: Workspace, put_snapshot: Callable[[Workspace, str, list[dict[str, Any]]], Any]
) -> None:
    put_snapshot(workspace, "wallets", [WALLET])
    put_snapshot(
        workspace,
        "wallet_addresses",
        [{"wallet_id": "FLR-1", "address": ADDR, "created_at": "2026-01-05T00:00:00Z"}],
    )
    unknown = _run(workspace, "KEY-003")
    assert (unknown.status, unknown.exception_count) == ("fail", 1)
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text() + '\n[chains.flare]\nnative = "FLR"\naddress_format = "evm"\n',
        encoding="utf-8",
    )
    declared = _run(find_workspace(workspace.root), "KEY-003")
    assert declared.status == "pass", declared
    assert declared.parameters["chains"] == "flare=evm:FLR"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('native = "X"\naddress_format = "morse"', "address_format"),
        ('native = "X"\naddress_format = "bitcoin"', "address_format"),
        ('address_format = "evm"', "native"),
    ],
)
def test_bad_chain_entries_are_refused(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "kansa.toml"
    path.write_text(f'[workspace]\nname = "t"\n\n[chains.x]\n{body}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_an_export_without_the_optional_columns_ingests(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = (
        "wallet_id,asset,chain,network,tier,purpose,policy_type,descriptor,safe_address,"
        "safe_owners,safe_threshold,approved_threshold,approved_keys,token_contract,created_at\n"
    )
    path = tmp_path / "wallets.csv"
    path.write_text(
        header + "W1,XRP,xrp,mainnet,hot,customer,mpc,,,,,2,3,,2026-01-01T00:00:00Z\n",
        encoding="utf-8",
    )
    ingest_file(workspace, "wallets", path, progress=False)
    table = pq.read_table(Vault(workspace.vault_dir).latest("wallets").path)
    assert "mpc_threshold" in table.column_names and "assets" in table.column_names
    assert table.column("mpc_threshold").to_pylist() == [None]


def test_one_wallet_reports_a_balance_per_asset(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "balances.csv"
    path.write_text(
        "as_of,wallet_id,asset,balance\n2026-11-20,SAFE,ETH,10\n2026-11-20,SAFE,USDC,7\n",
        encoding="utf-8",
    )
    ingest_file(workspace, "wallet_balances", path, progress=False)
    snap = Vault(workspace.vault_dir).latest("wallet_balances")
    assert snap is not None
    assets = [a for f, _ in snap.files for a in pq.read_table(f).column("asset").to_pylist()]
    assert sorted(assets) == ["ETH", "USDC"]  # (as_of, wallet_id, asset) is the key
