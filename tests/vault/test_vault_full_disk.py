"""A REAL full disk during a commit or a signature: exit 2 with a clear message, and the vault is
as it was (no torn ledger line, no journal dropped while the ledger is inconsistent).

Each test mounts a small tmpfs (``mount -t tmpfs -o size=...``, root only), puts the workspace on
it and fills it. tmpfs hands out space by page, so "a few bytes short" is arranged by growing the
ledger to a few bytes under a page boundary and leaving no free page: the next append writes
those few bytes and then fails, the short write a full disk really produces.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kansa.errors import KansaError
from kansa.vault import Vault, generate_keypair, verify_vault
from kansa.workspace import Workspace, create_workspace

PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs of its own, unmounted afterwards; skipped (with why) where not allowed."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip(f"mounting a tmpfs needs root; running as uid {os.geteuid()}")
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) on this system")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path, free_pages: int) -> Path:
    """Fill the file system to the last byte, then free exactly ``free_pages`` pages."""
    spares = []
    for i in range(free_pages):
        spare = disk / f".spare{i}"
        spare.write_bytes(b"s" * PAGE)
        spares.append(spare)
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (1 << 16, PAGE, 1):
            try:
                while True:
                    f.write(b"f" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    for spare in spares:
        spare.unlink()
    return filler


def _pad_ledger_to_page_end(vault: Vault, short_by: int) -> None:
    """Commit a note whose line ends ``short_by`` bytes before a page boundary."""
    vault.commit("note", {"pad": ""})
    line = len(vault.ledger.path.read_bytes().splitlines(keepends=True)[-1])
    size = vault.ledger.path.stat().st_size
    target = (size + line) // PAGE * PAGE + PAGE - short_by
    vault.commit("note", {"pad": "x" * (target - size - line)})
    assert vault.ledger.path.stat().st_size == target


def _workspace(disk: Path) -> tuple[Workspace, Vault]:
    ws = create_workspace(disk / "ws")
    vault = Vault(ws.vault_dir)
    vault.commit("note", {"n": 0})
    return ws, vault


@pytest.mark.parametrize(
    "free_pages", [0, 1], ids=["full-at-the-journal", "full-a-few-bytes-into-the-ledger-line"]
)
def test_a_commit_on_a_full_disk_changes_nothing(disk: Path, free_pages: int) -> None:
    _, vault = _workspace(disk)
    _pad_ledger_to_page_end(vault, short_by=7)
    staged = vault.staging_dir() / "out.json"
    staged.write_text('{"exceptions": 3}')
    ledger = vault.ledger.path.read_bytes()
    filler = fill(disk, free_pages)

    with pytest.raises(KansaError, match="disk is full") as info:
        vault.commit("run", {"n": 9}, {"runs/9/out.json": staged})
    assert info.value.exit_code == 2
    assert vault.ledger.path.read_bytes() == ledger  # no torn line
    assert not (vault.root / ".pending.json").exists()  # rolled back, not left half done
    assert not (vault.root / "runs").exists()
    assert verify_vault(vault).ok

    filler.unlink()  # space again: the next writer appends after an intact ledger
    vault.commit("note", {"n": 10})
    assert verify_vault(vault).ok and vault.ledger.head().seq == 3  # type: ignore[union-attr]


def _kansa(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KANSA_LANG": "en", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(ws.root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.parametrize("free_pages", [0, 1])
def test_signing_on_a_full_disk_is_exit_2_and_changes_nothing(
    disk: Path, tmp_path: Path, free_pages: int
) -> None:
    ws, vault = _workspace(disk)
    key = tmp_path / "keys" / "k.key"
    generate_keypair(key)
    filler = fill(disk, free_pages)

    done = _kansa(ws, "ledger", "sign", "--key", str(key))
    assert done.returncode == 2, done.stderr
    assert "disk is full" in " ".join(done.stderr.split()) and "Traceback" not in done.stderr
    assert (
        not (vault.root / "signatures.jsonl").exists()
        or not (vault.root / "signatures.jsonl").read_bytes()
    )
    assert not (vault.root / ".pending.json").exists()
    filler.unlink()
    assert _kansa(ws, "ledger", "sign", "--key", str(key)).returncode == 0
    report = json.loads(_kansa(ws, "verify", "--json").stdout)
    assert report["ok"] and report["signature"]["signed_seq"] == 0


def test_an_ingest_on_a_full_disk_is_exit_2(disk: Path, tmp_path: Path) -> None:
    ws, vault = _workspace(disk)
    src = tmp_path / "roles.csv"
    src.write_text("role_id,name,system,privileged,duty\nR1,Admin,core,true,audit\n", "utf-8")
    ledger = vault.ledger.path.read_bytes()
    fill(disk, 0)
    done = _kansa(ws, "ingest", "roles", str(src))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr or "disk is full" in done.stderr
    assert vault.ledger.path.read_bytes() == ledger
