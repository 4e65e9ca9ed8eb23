"""The read-check every consumer of evidence calls: kansa.vault.integrity."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidence_edit import edit_value, flip_byte
from kansa.vault import Snapshot, Vault
from kansa.vault import integrity as integrity_module
from kansa.vault.integrity import EvidenceAltered, require_intact, require_snapshot
from kansa.workspace import Workspace

ROWS = [{"wallet_id": "W1", "asset": "BTC", "tier": "cold", "purpose": "customer"}]
Put = Callable[[Workspace, str, list[dict[str, Any]]], Snapshot]


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")


def test_an_intact_snapshot_passes_and_gives_its_path(workspace: Workspace, put_snapshot: Put):
    snap = put_snapshot(workspace, "wallets", ROWS)
    assert require_snapshot(snap) == snap.path


def test_an_edited_value_is_refused_naming_file_and_entry(workspace: Workspace, put_snapshot: Put):
    snap = put_snapshot(workspace, "wallets", ROWS)
    edit_value(snap.path, "tier", "hot")
    with pytest.raises(EvidenceAltered) as refused:
        require_snapshot(snap)
    message = refused.value.message
    assert f"vault/snapshots/wallets/{snap.sha256}.parquet" in message
    assert f"ledger entry #{snap.seq}" in message and "does not match" in message
    assert refused.value.exit_code == 2


def test_one_flipped_byte_is_refused(workspace: Workspace, put_snapshot: Put) -> None:
    snap = put_snapshot(workspace, "wallets", ROWS)
    flip_byte(snap.path)
    with pytest.raises(EvidenceAltered, match="does not match"):
        require_snapshot(snap)


def test_missing_file_and_a_folder_in_its_place_are_refused(
    workspace: Workspace, put_snapshot: Put
) -> None:
    snap = put_snapshot(workspace, "wallets", ROWS)
    snap.path.unlink()
    with pytest.raises(EvidenceAltered, match="is missing"):
        require_snapshot(snap)
    snap.path.mkdir()
    with pytest.raises(EvidenceAltered, match="not a regular file"):
        require_snapshot(snap)


def test_a_symlink_to_an_identical_copy_is_refused(
    workspace: Workspace, put_snapshot: Put, tmp_path: Path
) -> None:
    """Same bytes elsewhere are still not the vault's file: what a link points to can change."""
    snap = put_snapshot(workspace, "wallets", ROWS)
    copy = tmp_path / "copy.parquet"
    shutil.copyfile(snap.path, copy)
    os.chmod(snap.path, 0o644)
    snap.path.unlink()
    snap.path.symlink_to(copy)
    with pytest.raises(EvidenceAltered, match="symbolic link"):
        require_snapshot(snap)


def test_a_symlinked_folder_on_the_path_is_refused(
    workspace: Workspace, put_snapshot: Put, tmp_path: Path
) -> None:
    snap = put_snapshot(workspace, "wallets", ROWS)
    moved = tmp_path / "elsewhere"
    shutil.move(snap.path.parent, moved)
    snap.path.parent.symlink_to(moved)
    with pytest.raises(EvidenceAltered, match="symbolic link"):
        require_snapshot(snap)


def test_names_outside_the_vault_and_entries_without_a_hash_are_refused(
    workspace: Workspace,
) -> None:
    with pytest.raises(EvidenceAltered, match="not a path inside the vault"):
        require_intact(workspace.vault_dir, "../kansa.toml", "0" * 64, 3)
    with pytest.raises(EvidenceAltered, match="no hash in the ledger"):
        require_intact(workspace.vault_dir, "runs/x.parquet", None, 3)


def test_a_file_is_hashed_once_until_it_changes(
    workspace: Workspace, put_snapshot: Put, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One command checking the same snapshot twice reads it once; an edit is still seen."""
    snap = put_snapshot(workspace, "wallets", ROWS)
    hashed: list[int] = []
    real = integrity_module._digest
    monkeypatch.setattr(integrity_module, "_digest", lambda fd: hashed.append(fd) or real(fd))
    require_snapshot(snap)
    require_snapshot(snap)
    assert len(hashed) == 1
    edit_value(snap.path, "tier", "hot")
    with pytest.raises(EvidenceAltered):
        require_snapshot(snap)
    assert len(hashed) == 2


def test_the_run_engine_uses_the_same_check(workspace: Workspace, put_snapshot: Put) -> None:
    from kansa.engine.evidence import check_inputs

    snap = put_snapshot(workspace, "wallets", ROWS)
    edit_value(snap.path, "asset", "ETH")
    with pytest.raises(EvidenceAltered, match="does not match its ledger entry"):
        check_inputs(Vault(workspace.vault_dir).latest_all())
