"""``kansa wallets derive`` and ``kansa wallets attest`` through the real CLI and the real
ingest path (JSON Lines -> contract checks -> vault snapshots)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers_custody import row_of, world_copy
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.contracts import get_contract
from kansa.ingest import ingest_file
from kansa.workspace import Workspace

XPUB_A = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
XPUB_B = "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y"
runner = CliRunner()
KANSA = [sys.executable, "-m", "kansa.cli.app"]


def _kansa(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point, whose exit codes (0 / 1 / 2) a user's script relies on."""
    env = {**os.environ, "COLUMNS": "250", "KANSA_LANG": "en"}
    return subprocess.run([*KANSA, *args], capture_output=True, text=True, check=False, env=env)


def test_derive_prints_the_bip383_script_as_json() -> None:
    # BIP 383 vector: sortedmulti(2, XPUB_A/*, XPUB_B/0/0/*) at index 1
    result = runner.invoke(
        app,
        [
            "wallets",
            "derive",
            f"sh(sortedmulti(2,{XPUB_A}/*,{XPUB_B}/0/0/*))",
            "--index",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    redeem = "52210264fd4d1f5dea8ded94c61e9641309349b62f27fbffe807291f664e286bfbe6472103f4ece6dfccfa37b211eb3d0af4d0c61dba9ef698622dc17eecdf764beeb005a652ae"
    from kansa.custody.hashes import hash160

    assert data["script_pubkey"] == "a914" + hash160(bytes.fromhex(redeem)).hex() + "87"
    assert data["address"].startswith("3")
    assert (data["threshold"], data["key_count"]) == (2, 2)
    assert sorted(data["keys"]) == [
        "0264fd4d1f5dea8ded94c61e9641309349b62f27fbffe807291f664e286bfbe647",
        "03f4ece6dfccfa37b211eb3d0af4d0c61dba9ef698622dc17eecdf764beeb005a6",
    ]
    assert len(data["fingerprints"]) == 2
    assert data["descriptor"].startswith("sh(sortedmulti(2,") and "#" in data["descriptor"]


def test_derive_testnet_and_several_outputs() -> None:
    result = runner.invoke(
        app,
        [
            "wallets",
            "derive",
            f"wpkh({XPUB_B}/0/*)",
            "--count",
            "3",
            "--network",
            "mainnet",
            "--json",
        ],
    )
    data = json.loads(result.output)
    assert [o["index"] for o in data["outputs"]] == [0, 1, 2]
    assert all(o["address"].startswith("bc1q") for o in data["outputs"])
    refused = _kansa("wallets", "derive", f"wpkh({XPUB_B}/0/*)", "--network", "testnet")
    assert refused.returncode == 2
    assert "mainnet keys" in refused.stderr


def test_derive_error_names_position_and_never_crashes_on_brackets() -> None:
    result = _kansa("wallets", "derive", "wpkh([/deadbeef]xpub)")
    assert result.returncode == 2
    assert "position 6" in result.stderr
    assert "Traceback" not in result.stderr


def _ingest(ws: Workspace, world: dict[str, list[dict[str, Any]]], tmp: Path) -> None:
    """One JSON Lines export per dataset, every contract column present (null when unused)."""
    for dataset, rows in world.items():
        columns = [c.name for c in get_contract(dataset).columns]
        path = tmp / f"{dataset}.jsonl"
        lines = (json.dumps({c: r.get(c) for c in columns}) + "\n" for r in rows)
        path.write_text("".join(lines), encoding="utf-8")
        ingest_file(ws, dataset, path, progress=False)


@pytest.fixture
def ingested(workspace: Workspace, tmp_path: Path) -> Workspace:
    world = world_copy()
    _ingest(workspace, world, tmp_path)
    return workspace


def test_attest_clean_world_exits_0(ingested: Workspace) -> None:
    result = runner.invoke(
        app, ["-w", str(ingested.root), "wallets", "attest", "--as-of", "2026-11-20", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passed"] is True
    assert len(report["wallets"]) == 5
    assert set(report["snapshots"]) == {
        "wallets",
        "wallet_addresses",
        "keyholders",
        "staff",
        "wallet_state",
    }
    safe = next(w for w in report["wallets"] if w["wallet_id"] == "ETH-COLD-SAFE")
    state = next(c for c in safe["checks"] if c["name"] == "safe_state")
    assert state["status"] == "pass"


def test_attest_failure_exits_1_and_names_the_wallet(workspace: Workspace, tmp_path: Path) -> None:
    world = world_copy()
    row_of(world, "wallets", wallet_id="BTC-WARM-1")["approved_threshold"] = 3
    _ingest(workspace, world, tmp_path)
    result = _kansa("-w", str(workspace.root), "wallets", "attest", "--as-of", "2026-11-20")
    assert result.returncode == 1
    assert "1 of 5 wallets fail as of 2026-11-20: BTC-WARM-1" in " ".join(result.stderr.split())
    assert "differs from the approved 3-of-3" in " ".join(result.stdout.split())


def test_chains_lists_the_registry_and_checks_addresses() -> None:
    ok = _kansa(
        "wallets", "chains", "--json", "--check", "nem:NDD2CT6LQLIYQ56KIXI3ENTM6EK3D44P5JFXJ4R4"
    )
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert {"xrp", "solana", "tron", "nem", "ethereum"} <= {c["chain"] for c in data["chains"]}
    assert data["checked"] == [
        {"chain": "nem", "address": "NDD2CT6LQLIYQ56KIXI3ENTM6EK3D44P5JFXJ4R4", "valid": True,
         "problem": None}
    ]  # fmt: skip
    bad = _kansa("wallets", "chains", "--check", "solana:TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL")
    assert bad.returncode == 1
    assert "expected 32 bytes" in bad.stdout
    usage = _kansa("wallets", "chains", "--check", "dogecoin:D123")
    assert usage.returncode == 2
    assert "CHAIN:ADDRESS" in usage.stderr and "Traceback" not in usage.stderr
