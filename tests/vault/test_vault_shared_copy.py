"""``kansa verify`` checks the copy of the snapshots that Spark executors read (issue 13).

A second local folder stands for the shared file system: ``[spark] snapshot_root`` names it,
and every snapshot file must be there with the SHA-256 the ledger recorded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.vault.shared import check_shared_copies, local_root
from kansa.workspace import Workspace

runner = CliRunner()


def _shared(
    workspace: Workspace, put_snapshot: Any, tmp_path: Path, root: str | None = None
) -> Path:
    put_snapshot(workspace, "staff", [{"person_id": "P1"}])
    put_snapshot(workspace, "staff", [{"person_id": "P2"}])
    shared = tmp_path / "shared vault"
    shutil.copytree(workspace.vault_dir / "snapshots", shared / "snapshots")
    with (workspace.root / "kansa.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[spark]\nsnapshot_root = "{root or shared}"\n')
    return shared


def _verify(workspace: Workspace) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["-w", str(workspace.root), "verify", "--json"])
    return result.exit_code, json.loads(result.output)


def test_an_intact_copy_is_checked_file_by_file(
    workspace: Workspace, put_snapshot: Any, tmp_path: Path
) -> None:
    _shared(workspace, put_snapshot, tmp_path)
    code, doc = _verify(workspace)
    assert code == 0 and doc["ok"]
    assert doc["shared_copy"]["checked"] == 2


def test_an_altered_copy_fails_verify(
    workspace: Workspace, put_snapshot: Any, tmp_path: Path
) -> None:
    shared = _shared(workspace, put_snapshot, tmp_path)
    victim = sorted((shared / "snapshots").rglob("*.parquet"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    code, doc = _verify(workspace)
    assert code == 1 and not doc["ok"]
    (issue,) = [i for i in doc["issues"] if i["kind"] == "shared-copy"]
    assert issue["where"] == victim.relative_to(shared).as_posix()
    assert "SHA-256" in issue["message"]


def test_a_missing_copy_fails_verify(
    workspace: Workspace, put_snapshot: Any, tmp_path: Path
) -> None:
    shared = _shared(workspace, put_snapshot, tmp_path, root=None)
    for f in (shared / "snapshots").rglob("*.parquet"):
        f.unlink()
    code, doc = _verify(workspace)
    assert code == 1
    assert sum(i["kind"] == "shared-copy" for i in doc["issues"]) == 2


def test_a_file_url_is_a_local_folder_and_an_object_store_is_not(tmp_path: Path) -> None:
    assert local_root(f"file://{tmp_path}/a%20b") == tmp_path / "a b"
    assert local_root("/mnt/audit") == Path("/mnt/audit")
    assert local_root("s3a://bucket/vault") is None


def test_an_object_store_root_is_said_unchecked_here_not_passed(
    workspace: Workspace, put_snapshot: Any, tmp_path: Path
) -> None:
    _shared(workspace, put_snapshot, tmp_path, root="s3a://audit/vault")
    code, doc = _verify(workspace)
    assert code == 0 and doc["shared_copy"] == {"root": "s3a://audit/vault", "checked": None}
    assert check_shared_copies(str(tmp_path), []) == []
