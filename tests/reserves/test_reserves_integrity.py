"""``kansa reserves`` builds, checks and hands out proofs only from evidence that hashes to its
ledger entry: an edited snapshot or a swapped tree is refused, naming the file and the entry."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from reserves_support import DAY, balance_rows, commit_rows

from evidence_edit import edit_value, flip_byte
from kansa.cli.app import main
from kansa.reserves import build_reserves, find_tree
from kansa.vault import Vault
from kansa.workspace import Workspace, create_workspace

HOLDINGS = {f"c{i:02d}": {"BTC": 10**8 + i, "ETH": 10**18 * (i + 1)} for i in range(40)}


def kansa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    old, sys.argv = sys.argv, ["kansa", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out + err


def says(text: str, *fragments: str) -> bool:
    """Every fragment is in the output, however the console wrapped it (a long path is cut
    at the terminal width, a sentence at a space)."""
    unwrapped, spaced = text.replace("\n", ""), " ".join(text.split())
    return all(f in unwrapped or f in spaced for f in fragments)


def _ledger(ws: Workspace) -> bytes:
    return (ws.vault_dir / "ledger.jsonl").read_bytes()


def _with_wallets(ws: Workspace) -> None:
    held = {"BTC": 10**12, "ETH": 10**22}
    wallets = [{"wallet_id": f"W-{a}", "asset": a, "purpose": "customer"} for a in held]
    commit_rows(ws, "wallets", wallets)
    rows = [
        {"as_of": DAY, "wallet_id": f"W-{a}", "asset": a, "balance": b} for a, b in held.items()
    ]
    commit_rows(ws, "wallet_balances", rows)


def test_build_refuses_an_edited_snapshot(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    edit_value(snap.path, "balance", 10**30)  # one customer now holds far more
    before = _ledger(workspace)
    code, said = kansa(capsys, "-w", str(workspace.root), "reserves", "build")
    assert code == 2, said
    assert says(said, f"vault/snapshots/customer_balances/{snap.sha256}.parquet")
    assert says(said, f"ledger entry #{snap.seq}", "does not match")
    assert _ledger(workspace) == before  # no tree recorded with the ledger's hash as source


def test_check_refuses_an_edited_wallet_balance(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    _with_wallets(workspace)
    assert kansa(capsys, "-w", str(workspace.root), "reserves", "check")[0] == 0
    snap = Vault(workspace.vault_dir).latest("wallet_balances")
    assert snap is not None
    edit_value(snap.path, "balance", 10**30)
    code, said = kansa(capsys, "-w", str(workspace.root), "reserves", "check")
    assert code == 2 and says(said, "wallet_balances", f"ledger entry #{snap.seq}")


def _swap_in_another_tree(ws: Workspace, tmp: Path) -> Path:
    """Replace the committed tree's files with a self-consistent tree over other balances:
    every internal check of the artifact passes; only the ledger knows the difference."""
    vault = Vault(ws.vault_dir)
    ref = find_tree(vault, DAY)
    other = create_workspace(tmp / "other")
    richer = {cid: {a: v * 2 for a, v in assets.items()} for cid, assets in HOLDINGS.items()}
    commit_rows(other, "customer_balances", balance_rows(richer))
    build_reserves(Vault(other.vault_dir), seed=9)
    forged = find_tree(Vault(other.vault_dir), DAY).manifest.parent
    folder = ref.manifest.parent
    for f in folder.rglob("*"):
        if f.is_file():
            f.chmod(0o644)
    shutil.rmtree(folder)
    shutil.copytree(forged, folder)
    return folder


def test_proof_refuses_a_swapped_tree(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    build_reserves(Vault(workspace.vault_dir), seed=2)
    folder = _swap_in_another_tree(workspace, tmp_path)
    out = tmp_path / "proof.json"
    code, said = kansa(
        capsys, "-w", str(workspace.root), "reserves", "proof", "c01", "-o", str(out)
    )
    assert code == 2, said
    assert says(said, "tree.json", "does not match", "ledger entry #")
    assert not out.exists()
    assert folder.is_dir()


def test_proofs_refuse_an_edited_leaf_file_and_write_nothing(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    build_reserves(Vault(workspace.vault_dir), seed=2)
    ref = find_tree(Vault(workspace.vault_dir), DAY)
    leaf = ref.manifest.parent / "leaves" / "00000.parquet"
    edit_value(leaf, "customer_id", "someone-else")
    out = tmp_path / "proofs"
    code, said = kansa(capsys, "-w", str(workspace.root), "reserves", "proofs", "-o", str(out))
    assert code == 2, said
    assert says(said, "leaves/00000.parquet", f"ledger entry #{ref.seq}")
    assert not out.exists()


def test_proof_refuses_a_flipped_byte_of_the_id_index(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    build_reserves(Vault(workspace.vault_dir), seed=2)
    ref = find_tree(Vault(workspace.vault_dir), DAY)
    flip_byte(ref.manifest.parent / "ids.bin", at=0)
    out = tmp_path / "proof.json"
    code, said = kansa(
        capsys, "-w", str(workspace.root), "reserves", "proof", "c01", "-o", str(out)
    )
    assert code == 2 and says(said, "ids.bin")
    assert not out.exists()


def test_an_intact_tree_still_gives_proofs(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    commit_rows(workspace, "customer_balances", balance_rows(HOLDINGS))
    built = build_reserves(Vault(workspace.vault_dir), seed=2)
    out = tmp_path / "proof.json"
    root = str(workspace.root)
    assert kansa(capsys, "-w", root, "reserves", "proof", "c01", "-o", str(out))[0] == 0
    assert json.loads(out.read_text())["root"]["hash"] == built["root"]["hash"]
    assert kansa(capsys, "-w", root, "reserves", "proofs", "-o", str(tmp_path / "all"))[0] == 0
