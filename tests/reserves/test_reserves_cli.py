"""``kansa reserves`` end to end on a small workspace built with the vault API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from reserves_support import DAY, balance_rows, commit_rows

from kansa.cli.app import main
from kansa.reserves import TreeArtifact, build_reserves, find_tree
from kansa.vault import Vault
from kansa.workspace import Workspace

HOLDINGS = {
    "alice": {"BTC": 150_000_000, "ETH": 2 * 10**18},
    "bob": {"ETH": 10**20},
    "顧客3": {"BTC": 1, "XRP": 5_000_000},
    "dave": {"XRP": 7},
}
TOTALS = {"BTC": 150_000_001, "ETH": 2 * 10**18 + 10**20, "XRP": 5_000_007}


def kansa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the real entry point in-process; (exit code, stdout, stderr)."""
    old = sys.argv
    sys.argv = ["kansa", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out, err


def _wallets(ws: Workspace, reserves: dict[str, int]) -> None:
    wallets = [{"wallet_id": f"W-{a}", "asset": a, "purpose": "customer"} for a in reserves] + [
        {"wallet_id": "W-house", "asset": "BTC", "purpose": "house"}
    ]
    commit_rows(ws, "wallets", wallets)
    rows = [
        {"as_of": DAY, "wallet_id": f"W-{a}", "asset": a, "balance": v} for a, v in reserves.items()
    ] + [{"as_of": DAY, "wallet_id": "W-house", "asset": "BTC", "balance": 10**15}]
    commit_rows(ws, "wallet_balances", rows)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    return workspace


def test_build_proof_verify_round_trip(ws: Workspace, tmp_path: Path, capsys) -> None:
    code, out, _ = kansa(capsys, "-w", str(ws.root), "reserves", "build", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["assets"] == ["BTC", "ETH", "XRP"]
    assert payload["root"]["sums"] == [str(TOTALS[a]) for a in payload["assets"]]
    assert payload["customers"] == 4
    entry = Vault(ws.vault_dir).ledger.head()
    assert entry is not None and entry.kind == "reserves"
    assert "alice" not in json.dumps(entry.payload)  # no customer id in the ledger
    root = payload["root"]["hash"]

    proof_file = tmp_path / "proof.json"
    code, _, _ = kansa(
        capsys, "-w", str(ws.root), "reserves", "proof", "顧客3", "-o", str(proof_file)
    )
    assert code == 0
    proof = json.loads(proof_file.read_text(encoding="utf-8"))
    assert proof["customer_id"] == "顧客3"
    assert proof["balances"] == ["1", "0", "5000000"]

    code, out, _ = kansa(capsys, "reserves", "verify", str(proof_file), "--root", root)
    assert code == 0 and root in out
    code, out, _ = kansa(capsys, "reserves", "verify", str(proof_file), "--root", root, "--json")
    assert code == 0 and json.loads(out) == {"ok": True, "reason": "ok"}

    proof["balances"][2] = "5000001"
    proof_file.write_text(json.dumps(proof), encoding="utf-8")
    code, out, err = kansa(capsys, "reserves", "verify", str(proof_file), "--root", root)
    assert code == 1 and "INVALID" in err

    code, _, err = kansa(
        capsys, "reserves", "verify", str(tmp_path / "missing.json"), "--root", root
    )
    assert code == 1


def test_verify_needs_no_workspace(
    ws: Workspace, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From an empty folder with no workspace configured; once through the installed command."""
    payload = build_reserves(Vault(ws.vault_dir), seed=4)
    proof = TreeArtifact(find_tree(Vault(ws.vault_dir)).manifest).proof("bob")
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    (empty / "p.json").write_text(json.dumps(proof), encoding="utf-8")
    monkeypatch.delenv("KANSA_WORKSPACE", raising=False)
    monkeypatch.chdir(empty)
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "kansa"),
            "reserves",
            "verify",
            "p.json",
            "--root",
            payload["root"]["hash"],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    code, _, err = kansa(capsys, "reserves", "verify", "p.json", "--root", "ab" * 32)
    assert code == 1 and "not the published root" in err


def test_bulk_export_matches_single_proofs(ws: Workspace, tmp_path: Path, capsys) -> None:
    build_reserves(Vault(ws.vault_dir), seed=9)
    out = tmp_path / "proofs"
    code, _, _ = kansa(capsys, "-w", str(ws.root), "reserves", "proofs", "--out", str(out))
    assert code == 0
    index = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lines = (out / index["shards"][0]["file"]).read_text(encoding="utf-8").splitlines()
    assert index["proofs"] == len(lines) == 4
    art = TreeArtifact(find_tree(Vault(ws.vault_dir)).manifest)
    for line in lines:
        doc = json.loads(line)
        assert doc == art.proof(doc["customer_id"])
    code, _, err = kansa(capsys, "-w", str(ws.root), "reserves", "proofs", "--out", str(out))
    assert code == 2 and "not empty" in err


def test_build_refuses_negative_balance_naming_the_customer(workspace: Workspace, capsys) -> None:
    rows = balance_rows({"good": {"BTC": 5}, "in-debt-42": {"BTC": -3, "ETH": 1}})
    commit_rows(workspace, "customer_balances", rows)
    code, _, err = kansa(capsys, "-w", str(workspace.root), "reserves", "build")
    assert code == 2
    assert "in-debt-42" in err and "negative" in err
    assert "good" not in err
    assert Vault(workspace.vault_dir).ledger.head().kind == "ingest"  # nothing committed


def test_build_refuses_repeated_rows(workspace: Workspace, capsys) -> None:
    rows = balance_rows({"twice": {"BTC": 5}}) * 2
    commit_rows(workspace, "customer_balances", rows)
    code, _, err = kansa(capsys, "-w", str(workspace.root), "reserves", "build")
    assert code == 2 and "repeats" in err


def test_build_picks_the_day(workspace: Workspace, capsys) -> None:
    import datetime as dt

    earlier = dt.date(2026, 11, 19)
    rows = balance_rows({"a": {"BTC": 1}}, earlier) + balance_rows({"a": {"BTC": 2}})
    commit_rows(workspace, "customer_balances", rows)
    _, out, _ = kansa(capsys, "-w", str(workspace.root), "reserves", "build", "--json")
    assert json.loads(out)["as_of"] == "2026-11-20"
    _, out, _ = kansa(
        capsys, "-w", str(workspace.root), "reserves", "build", "--as-of", "2026-11-19", "--json"
    )
    assert json.loads(out)["root"]["sums"] == ["1"]
    code, _, err = kansa(
        capsys, "-w", str(workspace.root), "reserves", "build", "--as-of", "2026-01-01"
    )
    assert code == 2 and "no rows" in err


def _check(ws: Workspace, capsys, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = kansa(capsys, "-w", str(ws.root), "reserves", "check", "--json", *extra)
    return code, json.loads(out)


def test_check_passes_when_every_asset_is_covered(ws: Workspace, capsys) -> None:
    build_reserves(Vault(ws.vault_dir), seed=1)
    _wallets(ws, {**TOTALS, "ETH": TOTALS["ETH"] + 1})
    code, doc = _check(ws, capsys)
    assert code == 0 and doc["ok"]
    eth = next(a for a in doc["assets"] if a["asset"] == "ETH")
    assert eth["reserves"] == str(TOTALS["ETH"] + 1)
    assert eth["tree_agrees_with_ledger"] is True
    code, out, _ = kansa(capsys, "-w", str(ws.root), "reserves", "check")
    assert code == 0 and "100.00%" in out


def test_check_fails_when_short_by_one_unit(ws: Workspace, capsys) -> None:
    """House wallets do not count towards customer reserves; exact integer comparison."""
    build_reserves(Vault(ws.vault_dir), seed=1)
    _wallets(ws, {**TOTALS, "BTC": TOTALS["BTC"] - 1})
    code, doc = _check(ws, capsys)
    assert code == 1 and not doc["ok"]
    assert [a["asset"] for a in doc["assets"] if a["short"]] == ["BTC"]


def test_check_without_a_tree_uses_the_ledger(ws: Workspace, capsys) -> None:
    _wallets(ws, TOTALS)
    code, doc = _check(ws, capsys)
    assert code == 0 and doc["tree_root"] is None


def test_build_refuses_totals_that_do_not_fit_16_bytes(workspace: Workspace, capsys) -> None:
    biggest = 10**38 - 1  # DECIMAL(38,0) maximum; four of them exceed 2**128 - 1
    rows = balance_rows({f"whale{i}": {"ETH": biggest} for i in range(4)})
    commit_rows(workspace, "customer_balances", rows)
    code, _, err = kansa(capsys, "-w", str(workspace.root), "reserves", "build")
    assert code == 2 and "2**128-1" in err


def test_check_of_a_day_without_ledger_rows_is_an_error_not_ok(ws: Workspace, capsys) -> None:
    """No customer balances that day: nothing was checked, so nothing may be reported ok."""
    _wallets(ws, TOTALS)
    code, out, err = kansa(
        capsys, "-w", str(ws.root), "reserves", "check", "--as-of", "2030-01-01", "--json"
    )
    assert code == 2 and "no rows" in err and out == ""


def test_verify_prints_the_proofs_asset_names_verbatim(
    ws: Workspace, tmp_path: Path, capsys
) -> None:
    """The root hash does not commit to the symbols: a proof file's names are shown as text."""
    code, out, _ = kansa(capsys, "-w", str(ws.root), "reserves", "build", "--json")
    root = json.loads(out)["root"]["hash"]
    proof_file = tmp_path / "proof.json"
    kansa(capsys, "-w", str(ws.root), "reserves", "proof", "顧客3", "-o", str(proof_file))
    proof = json.loads(proof_file.read_text(encoding="utf-8"))
    proof["assets"] = ["BTC", "ETH", "[/]"]
    proof_file.write_text(json.dumps(proof), encoding="utf-8")
    code, out, _ = kansa(capsys, "reserves", "verify", str(proof_file), "--root", root)
    assert code == 0 and "[/]: 5000000" in out
