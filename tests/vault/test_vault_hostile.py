"""A workspace handed over by someone else: verify reads only, recovery trusts nothing it finds,
and every command refuses links inside the vault. Each workspace here is built by the test the
way an attacker would; files outside it must survive every command byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from pathlib import Path

import pytest

from cli_entry import run_kansa as _kansa
from kansa.errors import KansaError
from kansa.vault import Vault, verify_vault
from kansa.workspace import Workspace


def _tree(root: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every entry under ``root`` (links not followed): mode and content or link target."""
    out: dict[str, tuple[int, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[str(p.relative_to(root))] = (st.st_mode, os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[str(p.relative_to(root))] = (st.st_mode, p.read_bytes())
            else:
                out[str(p.relative_to(root))] = (st.st_mode, b"")
    return out


@pytest.fixture
def ws(workspace: Workspace, tmp_path: Path) -> Workspace:
    """A workspace with two entries (one with a file) and a file outside it worth keeping."""
    vault = Vault(workspace.vault_dir)
    with vault.staging() as tmp:
        (tmp / "r.json").write_text('{"ok": true}')
        vault.commit("run", {"n": 1}, {"runs/1/r.json": tmp / "r.json"})
    vault.commit("note", {"n": 2})
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "precious.txt").write_text("the auditor's own file\n")
    return workspace


def _dead_staging_name() -> str:
    return f"999999999-{uuid.uuid4().hex}"  # a pid that cannot be running


def _journal(vault: Vault, files: list[str]) -> None:
    head = vault.ledger.head()
    seq = 0 if head is None else head.seq + 1
    (vault.root / ".pending.json").write_text(json.dumps({"seq": seq, "files": files}))


def _hostile_journals(ws: Workspace, tmp_path: Path) -> list[list[str]]:
    outside = tmp_path / "outside" / "precious.txt"
    (ws.vault_dir / "runs" / "link.json").symlink_to(outside)
    return [
        ["../kansa.toml"],
        [str(outside)],
        ["runs/../../kansa.toml"],
        ["runs/link.json"],  # a link inside the vault to a file outside
        ["ledger.jsonl"],  # bookkeeping is never an output
    ]


@pytest.mark.parametrize("case", range(5))
def test_a_hostile_journal_deletes_nothing(
    ws: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: int,
) -> None:
    vault = Vault(ws.vault_dir)
    files = _hostile_journals(ws, tmp_path)[case]
    _journal(vault, files)
    before = _tree(tmp_path)

    code, out, _ = _kansa(ws, capsys, monkeypatch, "verify", "--json")
    assert code == 1 and "pending" in {i["kind"] for i in json.loads(out)["issues"]}
    assert _tree(tmp_path) == before  # verify wrote nothing, deleted nothing

    code, _, err = _kansa(ws, capsys, monkeypatch, "verify", "--recover")
    err = " ".join(err.split())
    assert code == 2 and ".pending.json" in err and "nothing was changed" in err
    with pytest.raises(KansaError, match="recovery refused"):
        vault.commit("note", {"n": 3})  # every writer recovers first, and refuses
    assert _tree(tmp_path) == before


def test_recovery_still_rolls_back_a_genuine_interrupted_commit(ws: Workspace) -> None:
    vault = Vault(ws.vault_dir)
    (vault.root / "runs" / "2").mkdir()
    (vault.root / "runs" / "2" / "half.json").write_text("{}")
    _journal(vault, ["runs/2/half.json", "runs/2/never-moved.json"])
    with vault.writer() as removed:
        assert removed == ["runs/2/half.json"]
    assert not (vault.root / "runs" / "2").exists()
    assert verify_vault(vault).ok


def test_a_symlinked_staging_folder_is_never_emptied(
    ws: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "outside" / "projects"
    (target / _dead_staging_name()).mkdir(parents=True)
    (target / _dead_staging_name() / "x").mkdir(parents=True)
    (target / "notes").mkdir()
    (ws.vault_dir / ".staging").symlink_to(target)
    before = _tree(tmp_path)

    code, out, _ = _kansa(ws, capsys, monkeypatch, "verify", "--json")
    assert code == 1 and json.loads(out)["first_issue"]["where"] == ".staging"
    code, _, err = _kansa(ws, capsys, monkeypatch, "verify", "--recover")
    assert code == 2 and "symbolic link" in err
    vault = Vault(ws.vault_dir)
    for write in (lambda: vault.commit("note", {}), vault.staging_dir):
        with pytest.raises(KansaError, match="symbolic link"):
            write()
    assert _tree(tmp_path) == before


def test_recovery_clears_only_its_own_staging_names(ws: Workspace, tmp_path: Path) -> None:
    vault = Vault(ws.vault_dir)
    staging = vault.root / ".staging"
    dead = staging / _dead_staging_name()
    dead.mkdir(parents=True)
    (dead / "work.parquet").write_bytes(b"half")
    (staging / "keep-me").mkdir()
    linked = staging / _dead_staging_name()
    linked.symlink_to(tmp_path / "outside")
    with vault.writer() as removed:
        assert removed == [f".staging/{dead.name}"]
    assert (staging / "keep-me").is_dir() and linked.is_symlink()
    assert (tmp_path / "outside" / "precious.txt").read_text() == "the auditor's own file\n"


@pytest.mark.parametrize("name", ["ledger.jsonl", "signatures.jsonl", ".pending.json", ".lock"])
def test_a_symlinked_bookkeeping_file_is_refused_not_followed(
    ws: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    outside = tmp_path / "outside" / "precious.txt"
    path = ws.vault_dir / name
    if path.exists():
        shutil.copy(path, outside) if name == "ledger.jsonl" else path.unlink()
        path.unlink(missing_ok=True)
    path.symlink_to(outside)
    before = _tree(tmp_path)

    code, out, _ = _kansa(ws, capsys, monkeypatch, "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["first_issue"] == {
        "kind": "unsafe-path",
        "where": name,
        "message": report["first_issue"]["message"],
        "seq": None,
    }
    for args in (("verify", "--recover"), ("ledger", "show"), ("ledger", "head")):
        code, _, err = _kansa(ws, capsys, monkeypatch, *args)
        if name == "ledger.jsonl" or args[0] == "verify":
            assert code == 2 and "symbolic link" in err, args
    with pytest.raises(KansaError, match="symbolic link"):
        Vault(ws.vault_dir).commit("note", {"n": 3})
    assert _tree(tmp_path) == before


def test_a_symlinked_snapshot_is_never_read(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = Vault(workspace.vault_dir)
    with vault.staging() as tmp:
        (tmp / "s.parquet").write_bytes(b"PAR1 real rows")
        snap = vault.commit_snapshot("staff", tmp / "s.parquet", {"rows": 1})
    forged = tmp_path / "forged.parquet"
    forged.write_bytes(b"PAR1 other rows")
    os.chmod(snap.path, 0o644)
    snap.path.unlink()
    snap.path.symlink_to(forged)
    for read in (lambda: vault.latest("staff"), vault.latest_all, vault.snapshots):
        with pytest.raises(KansaError, match="symbolic link"):
            read()
    code, _, err = _kansa(workspace, capsys, monkeypatch, "run")
    assert code == 2 and "symbolic link" in err
    # a linked folder on the way is refused the same way
    snap.path.unlink()
    shutil.copy(forged, tmp_path / snap.path.name)
    shutil.rmtree(vault.root / "snapshots" / "staff")
    (vault.root / "snapshots" / "staff").symlink_to(tmp_path)
    with pytest.raises(KansaError, match="symbolic link"):
        vault.latest("staff")


def test_verify_writes_nothing_on_a_hostile_workspace(
    ws: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Journal naming outside files, a dead staging folder, a torn ledger tail, a FIFO: verify
    reports and leaves every byte (and the absence of a lock file) as it found them."""
    vault = Vault(ws.vault_dir)
    (vault.root / ".lock").unlink()
    _journal(vault, ["../kansa.toml", str(tmp_path / "outside" / "precious.txt")])
    (vault.root / ".staging" / _dead_staging_name()).mkdir(parents=True)
    with vault.ledger.path.open("ab") as f:
        f.write(b'{"seq":2,"torn')
    os.mkfifo(vault.root / "runs" / "1" / "fifo")
    before = _tree(tmp_path)
    code, out, _ = _kansa(ws, capsys, monkeypatch, "verify", "--json")
    assert code == 1
    kinds = {i["kind"] for i in json.loads(out)["issues"]}
    assert {"ledger-unreadable", "pending", "file-unreferenced"} <= kinds
    assert _tree(tmp_path) == before
